package org.annexhost.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Releases a file mapping at once instead of at some later garbage collection, the way Lucene's
 * MMapDirectory does on Java 17 ({@code sun.misc.Unsafe.invokeCleaner}, reached reflectively from
 * the {@code jdk.unsupported} module). Without it, every mapped chunk of a large download would
 * stay resident in the process until collected. Empty where the JDK does not offer it.
 */
final class Unmapper {
    private static final Optional<MethodHandle> CLEANER = find();

    private Unmapper() {
    }

    /** @return true if mappings can be released explicitly here */
    static boolean available() {
        return CLEANER.isPresent();
    }

    /** Releases a mapping; the buffer must never be touched again. */
    static void unmap(ByteBuffer mapped) {
        if (CLEANER.isEmpty()) {
            return;
        }
        try {
            CLEANER.get().invokeExact(mapped);
        } catch (Throwable t) {
            // left to the garbage collector
        }
    }

    private static Optional<MethodHandle> find() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            MethodHandle h = MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class)).bindTo(unsafe);
            return Optional.of(h);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
