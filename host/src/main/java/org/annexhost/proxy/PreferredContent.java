package org.annexhost.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import org.annexhost.api.DataSize;
import org.annexhost.api.Uuid;

/**
 * A preferred content expression, as clients set it with {@code git annex wanted}: the part of
 * git-annex's matching language a gateway needs to choose cluster nodes. Terms: {@code anything},
 * {@code nothing}, {@code present}, {@code include=GLOB}, {@code exclude=GLOB},
 * {@code largerthan=SIZE}, {@code smallerthan=SIZE}, {@code copies=N}, {@code inallgroup=GROUP};
 * joined by {@code and} (or nothing), {@code or}, {@code not} and parentheses. Immutable.
 */
public final class PreferredContent {
    /** What an expression is matched against. */
    public record Facts(Uuid node, OptionalLong size, Optional<String> file, Set<Uuid> locations,
                        Map<String, Set<Uuid>> groups) {
    }

    private interface Expr {
        boolean matches(Facts f);
    }

    private final String text;
    private final Expr expr;

    private PreferredContent(String text, Expr expr) {
        this.text = text;
        this.expr = expr;
    }

    /** Wants everything: a node nobody set an expression for. */
    public static final PreferredContent ANYTHING = new PreferredContent("anything", f -> true);

    /**
     * @return the parsed expression
     * @throws IllegalArgumentException naming the term git-annex's language has but this does not
     */
    public static PreferredContent parse(String text) {
        Parser p = new Parser(tokens(text));
        Expr e = p.or();
        if (p.pos < p.tokens.size()) {
            throw new IllegalArgumentException("unexpected \"" + p.tokens.get(p.pos) + "\" in preferred content expression: " + text);
        }
        return new PreferredContent(text, e);
    }

    /** @return whether the node wants the content these facts describe */
    public boolean matches(Facts facts) {
        return expr.matches(facts);
    }

    @Override
    public String toString() {
        return text;
    }

    private static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.trim().split("\\s+")) {
            StringBuilder cur = new StringBuilder();
            for (char ch : w.toCharArray()) {
                if (ch == '(' || ch == ')') {
                    if (cur.length() > 0) {
                        out.add(cur.toString());
                        cur.setLength(0);
                    }
                    out.add(String.valueOf(ch));
                } else {
                    cur.append(ch);
                }
            }
            if (cur.length() > 0) {
                out.add(cur.toString());
            }
        }
        return out;
    }

    /** Recursive descent: or of ands of unary terms. */
    private static final class Parser {
        final List<String> tokens;
        int pos;

        Parser(List<String> tokens) {
            this.tokens = tokens;
        }

        Expr or() {
            Expr left = and();
            while (peek("or")) {
                pos++;
                Expr a = left;
                Expr b = and();
                left = f -> a.matches(f) || b.matches(f);
            }
            return left;
        }

        Expr and() {
            Expr left = unary();
            while (pos < tokens.size() && !peek("or") && !peek(")")) {
                if (peek("and")) {
                    pos++;
                }
                Expr a = left;
                Expr b = unary();
                left = f -> a.matches(f) && b.matches(f);
            }
            return left;
        }

        Expr unary() {
            if (pos >= tokens.size()) {
                throw new IllegalArgumentException("preferred content expression ends too early");
            }
            String t = tokens.get(pos++);
            if (t.equals("not")) {
                Expr e = unary();
                return f -> !e.matches(f);
            }
            if (t.equals("(")) {
                Expr e = or();
                if (!peek(")")) {
                    throw new IllegalArgumentException("missing ) in preferred content expression");
                }
                pos++;
                return e;
            }
            return term(t);
        }

        boolean peek(String t) {
            return pos < tokens.size() && tokens.get(pos).equals(t);
        }
    }

    private static Expr term(String t) {
        switch (t) {
            case "anything":
                return f -> true;
            case "nothing":
                return f -> false;
            case "present":
                return f -> f.locations().contains(f.node());
            default:
                break;
        }
        int eq = t.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("unsupported preferred content term \"" + t + "\"");
        }
        String name = t.substring(0, eq);
        String value = t.substring(eq + 1);
        switch (name) {
            case "include": {
                Pattern g = glob(value);
                return f -> f.file().map(file -> g.matcher(file).matches()).orElse(false);
            }
            case "exclude": {
                Pattern g = glob(value);
                return f -> f.file().map(file -> !g.matcher(file).matches()).orElse(true);
            }
            case "largerthan": {
                long n = DataSize.parse(value);
                return f -> f.size().isPresent() && f.size().getAsLong() > n;
            }
            case "smallerthan": {
                long n = DataSize.parse(value);
                return f -> f.size().isPresent() && f.size().getAsLong() < n;
            }
            case "copies": {
                int n = Integer.parseInt(value);
                return f -> f.locations().size() >= n;
            }
            case "inallgroup": {
                return f -> {
                    Set<Uuid> members = f.groups().getOrDefault(value, Set.of());
                    return !members.isEmpty() && f.locations().containsAll(members);
                };
            }
            default:
                throw new IllegalArgumentException("unsupported preferred content term \"" + t + "\"");
        }
    }

    /** A glob as git-annex matches files: {@code *} and {@code ?} also match across directories. */
    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            switch (ch) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
