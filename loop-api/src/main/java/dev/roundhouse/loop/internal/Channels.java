package dev.roundhouse.loop.internal;

import java.io.IOException;
import java.nio.channels.Channel;

/** Channel helpers the backends share. */
public final class Channels {
    private Channels() {
    }

    /** Closes {@code ch} if it is not null; a close error is dropped, since the descriptor is given back either way. */
    public static void closeQuietly(Channel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do: we are giving the descriptor back
            }
        }
    }
}
