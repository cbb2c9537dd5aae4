package dev.roundhouse.loop.unix;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelReleaseTest {

    @Test
    void shouldCompareMajorThenMinor() {
        assertTrue(KernelRelease.atLeast("6.18.44-fc-v1272", 6, 0));
        assertTrue(KernelRelease.atLeast("5.19.0", 5, 19));
        assertFalse(KernelRelease.atLeast("5.18.19", 5, 19));
        assertTrue(KernelRelease.atLeast("6.1.0-27-amd64", 5, 19));
        assertFalse(KernelRelease.atLeast("4.19.325", 5, 19));
        assertTrue(KernelRelease.atLeast("10.0", 6, 0)); // numerically, not as text
    }

    @Test
    void shouldAssumeNothingOfAReleaseItCannotRead() {
        assertFalse(KernelRelease.atLeast(null, 1, 0));
        assertFalse(KernelRelease.atLeast("", 1, 0));
        assertFalse(KernelRelease.atLeast("Windows 11", 1, 0));
        assertFalse(KernelRelease.atLeast("99999999999.1", 1, 0));
    }
}
