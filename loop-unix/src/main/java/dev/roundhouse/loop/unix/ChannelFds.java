package dev.roundhouse.loop.unix;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SelectableChannel;

/**
 * Reads the file descriptor number of a JDK {@link SelectableChannel}, through
 * {@code sun.nio.ch.SelChImpl#getFDVal} (every JDK socket, server socket, datagram and pipe channel
 * implements it). The package is not exported, so the JVM needs
 * {@value #FLAG}; Roundhouse's own test runs pass it (see {@code roundhouse.jvmArgs}). The backends
 * that register channels by descriptor (epoll, io_uring) read it here.
 *
 * <p><b>Thread:</b> any.
 */
public final class ChannelFds {
    /** The JVM flag that lets us read a channel's descriptor. */
    public static final String FLAG = "--add-exports java.base/sun.nio.ch=ALL-UNNAMED";
    private static final Class<?> SEL_CH;
    private static final MethodHandle GET_FD_VAL;
    private static final Throwable FAILURE;

    static {
        Class<?> type = null;
        MethodHandle getter = null;
        Throwable failure = null;
        try {
            type = Class.forName("sun.nio.ch.SelChImpl");
            getter = MethodHandles.lookup().findVirtual(type, "getFDVal", MethodType.methodType(int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            failure = e;
        }
        SEL_CH = type;
        GET_FD_VAL = getter;
        FAILURE = failure;
    }

    private ChannelFds() {
    }

    /**
     * The descriptor number of {@code channel}.
     *
     * @throws IllegalStateException if the JVM does not let us read it (the message names the flag)
     * @throws IllegalArgumentException if the channel is not a JDK channel with a descriptor
     */
    public static int of(SelectableChannel channel) {
        if (GET_FD_VAL == null) {
            throw new IllegalStateException("the epoll and io_uring backends register a java.nio channel by its "
                    + "file descriptor and cannot read it: start the JVM with " + FLAG + " (cause: " + FAILURE + ")",
                    FAILURE);
        }
        if (!SEL_CH.isInstance(channel)) {
            throw new IllegalArgumentException("the epoll and io_uring backends can only register JDK channels "
                    + "that have a file descriptor (sun.nio.ch.SelChImpl), not " + channel.getClass().getName());
        }
        try {
            return (int) GET_FD_VAL.invoke(channel);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read the file descriptor of " + channel, t);
        }
    }
}
