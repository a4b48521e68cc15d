package org.annexhost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DataSizeTest {
    @Test
    void sizesAsGitAnnexWritesThem() {
        assertThat(DataSize.parse("1048576")).isEqualTo(1048576);
        assertThat(DataSize.parse("1MiB")).isEqualTo(1048576);
        assertThat(DataSize.parse("1 mib")).isEqualTo(1048576);
        assertThat(DataSize.parse("500kB")).isEqualTo(500_000);
        assertThat(DataSize.parse("5mb")).isEqualTo(5_000_000L);
        assertThat(DataSize.parse("1.5GB")).isEqualTo(1_500_000_000L);
        assertThat(DataSize.parse("1GiB")).isEqualTo(1L << 30);
        assertThat(DataSize.parse("2 TiB")).isEqualTo(2L << 40);
        assertThat(DataSize.parse("3t")).isEqualTo(3_000_000_000_000L);
        assertThat(DataSize.parse("2 megabytes")).isEqualTo(2_000_000L);
    }

    @Test
    void anythingElseIsRefusedByName() {
        assertThatThrownBy(() -> DataSize.parse("1 furlong")).hasMessageContaining("not a size: \"1 furlong\"");
        assertThatThrownBy(() -> DataSize.parse("-1MB")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> DataSize.parse("")).hasMessageContaining("not a size");
    }
}
