package org.annexhost.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.annexhost.api.Uuid;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreferredContentTest {
    static final Uuid ME = new Uuid("11111111-0000-0000-0000-000000000001");
    static final Uuid OTHER = new Uuid("22222222-0000-0000-0000-000000000002");

    @ParameterizedTest(name = "{0} on {1} ({2} bytes, {3} copies) = {4}")
    @CsvSource(delimiter = '|', value = {
        "anything|a.txt|10|0|true",
        "nothing|a.txt|10|0|false",
        "include=*.jpg|photos/a.jpg|10|0|true",
        "include=*.jpg|a.txt|10|0|false",
        "exclude=archive/*|archive/old/a.txt|10|0|false",
        "exclude=archive/*|new/a.txt|10|0|true",
        "largerthan=1MB|a|2000000|0|true",
        "largerthan=1MB|a|1000|0|false",
        "smallerthan=1kB|a|999|0|true",
        "not largerthan=1MB|a|1000|0|true",
        "include=*.jpg or largerthan=100|a.txt|200|0|true",
        "include=*.jpg and largerthan=100|a.jpg|50|0|false",
        "include=*.jpg largerthan=100|a.jpg|500|0|true",
        "(include=*.jpg or include=*.png) and not copies=2|a.png|5|1|true",
        "(include=*.jpg or include=*.png) and not copies=2|a.png|5|2|false",
        "inallgroup=backup|a|5|1|true",
        "present|a|5|0|false",
    })
    void matchesAsGitAnnexDoes(String expr, String file, long size, int copies, boolean expected) {
        Set<Uuid> locs = copies == 0 ? Set.of() : copies == 1 ? Set.of(OTHER) : Set.of(OTHER, ME);
        PreferredContent.Facts f = new PreferredContent.Facts(ME, OptionalLong.of(size), Optional.of(file), locs,
                Map.of("backup", Set.of(OTHER)));
        assertThat(PreferredContent.parse(expr).matches(f)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void withoutAFileIncludeFailsAndExcludeHolds() {
        PreferredContent.Facts f = new PreferredContent.Facts(ME, OptionalLong.of(1), Optional.empty(), Set.of(), Map.of());
        assertThat(PreferredContent.parse("include=*").matches(f)).isFalse();
        assertThat(PreferredContent.parse("exclude=*.tmp").matches(f)).isTrue();
    }

    @org.junit.jupiter.api.Test
    void refusesWhatItCannotEvaluate() {
        assertThatThrownBy(() -> PreferredContent.parse("metadata=tag=x")).hasMessageContaining("unsupported");
        assertThatThrownBy(() -> PreferredContent.parse("(include=*")).hasMessageContaining("missing )");
        assertThatThrownBy(() -> PreferredContent.parse("include=* or")).hasMessageContaining("ends too early");
    }
}
