package org.annexhost.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command string the way a POSIX shell splits simple words: whitespace separates words,
 * single quotes quote literally, double quotes and backslashes escape. This is what ssh hands a
 * forced command in {@code SSH_ORIGINAL_COMMAND}, and what git-annex's {@code shellUnEscape}
 * undoes. No expansion of any kind happens.
 */
public final class ShellWords {
    private ShellWords() {
    }

    /**
     * @return the words of the command string
     * @throws IllegalArgumentException for an unterminated quote
     */
    public static List<String> split(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated single quote in command: " + s);
                }
                word.append(s, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                i = readDoubleQuoted(s, i + 1, word);
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                word.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static int readDoubleQuoted(String s, int from, StringBuilder word) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                return i;
            }
            if (c == '\\' && i + 1 < s.length() && "\"\\$`".indexOf(s.charAt(i + 1)) >= 0) {
                c = s.charAt(++i);
            }
            word.append(c);
        }
        throw new IllegalArgumentException("unterminated double quote in command: " + s);
    }
}
