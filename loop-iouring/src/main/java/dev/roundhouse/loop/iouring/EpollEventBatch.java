package dev.roundhouse.loop.iouring;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventArray;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * An {@code epoll_event} array for a non-blocking {@code epoll_wait}, through Netty's epoll native
 * library. Netty makes its {@link EpollEventArray} and its accessors package-private (only its own
 * loop uses them) but its {@code epoll_wait} wrapper public; we reach the four members through a
 * private lookup, which needs the Netty classes in an unnamed or automatic module (the class path,
 * or Netty's jars as automatic modules): where that fails, {@link #open} says so, and the io_uring
 * backend runs without readiness registrations.
 *
 * <p><b>Thread:</b> the loop thread only.
 */
final class EpollEventBatch {
    private static final MethodHandle NEW;
    private static final MethodHandle EVENTS;
    private static final MethodHandle FD;
    private static final MethodHandle FREE;
    private static final Throwable FAILURE;

    static {
        MethodHandle make = null;
        MethodHandle events = null;
        MethodHandle fd = null;
        MethodHandle free = null;
        Throwable failure = null;
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(EpollEventArray.class, MethodHandles.lookup());
            make = l.findConstructor(EpollEventArray.class, MethodType.methodType(void.class, int.class));
            events = l.findVirtual(EpollEventArray.class, "events", MethodType.methodType(int.class, int.class));
            fd = l.findVirtual(EpollEventArray.class, "fd", MethodType.methodType(int.class, int.class));
            free = l.findVirtual(EpollEventArray.class, "free", MethodType.methodType(void.class));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            failure = e;
        }
        NEW = make;
        EVENTS = events;
        FD = fd;
        FREE = free;
        FAILURE = failure;
    }

    private final EpollEventArray array;

    private EpollEventBatch(EpollEventArray array) {
        this.array = array;
    }

    /**
     * A batch of {@code capacity} entries.
     *
     * @throws IllegalStateException if Netty's epoll library is not available here or its event
     *     array cannot be reached (the message says which, and why)
     */
    static EpollEventBatch open(int capacity) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("readiness registrations on the io_uring backend use an epoll set, and "
                    + "Netty's epoll native library is not available: " + Epoll.unavailabilityCause(),
                    Epoll.unavailabilityCause());
        }
        if (NEW == null) {
            throw new IllegalStateException("readiness registrations on the io_uring backend cannot reach Netty's "
                    + "epoll event array (Netty on the module path as named modules?): " + FAILURE, FAILURE);
        }
        try {
            return new EpollEventBatch((EpollEventArray) NEW.invokeExact(capacity));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot make an epoll event array", t);
        }
    }

    /** A new epoll descriptor (close-on-exec). */
    static FileDescriptor newEpoll() {
        return Native.newEpollCreate();
    }

    /** {@code epoll_ctl(ADD)}. */
    static void add(FileDescriptor epoll, int fd, int mask) throws IOException {
        Native.epollCtlAdd(epoll.intValue(), fd, mask);
    }

    /** {@code epoll_ctl(MOD)}. */
    static void modify(FileDescriptor epoll, int fd, int mask) throws IOException {
        Native.epollCtlMod(epoll.intValue(), fd, mask);
    }

    /** {@code epoll_ctl(DEL)}. */
    static void remove(FileDescriptor epoll, int fd) throws IOException {
        Native.epollCtlDel(epoll.intValue(), fd);
    }

    /** {@code epoll_wait} with a zero timeout: fills this batch, returns how many entries it holds. */
    @SuppressWarnings("deprecation") // the only public wait that takes a caller's array; zeros mean "do not block"
    int pollNow(FileDescriptor epoll) throws IOException {
        return Native.epollWait(epoll, array, null, 0, 0);
    }

    /** The {@code EPOLL*} bits of entry {@code i}. */
    int events(int i) {
        try {
            return (int) EVENTS.invokeExact(array, i);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The descriptor of entry {@code i}. */
    int fd(int i) {
        try {
            return (int) FD.invokeExact(array, i);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Frees the native array. Once. */
    void free() {
        try {
            FREE.invokeExact(array);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
