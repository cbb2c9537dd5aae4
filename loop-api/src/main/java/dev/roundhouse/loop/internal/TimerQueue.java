package dev.roundhouse.loop.internal;

import java.util.Arrays;

/**
 * A binary min-heap of timers keyed by (deadline, sequence), with each timer's index stored in it
 * so that cancel removes it in O(log n): cancelled timers never pile up. Loop thread only.
 */
final class TimerQueue {
    private ScheduledTimer[] heap = new ScheduledTimer[64];
    private int size;
    private long nextSequence;

    int size() {
        return size;
    }

    ScheduledTimer peek() {
        return size == 0 ? null : heap[0];
    }

    void add(ScheduledTimer t) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        t.sequence = nextSequence++;
        t.heapIndex = size;
        heap[size++] = t;
        siftUp(t.heapIndex);
    }

    ScheduledTimer poll() {
        if (size == 0) {
            return null;
        }
        ScheduledTimer top = heap[0];
        removeAt(0);
        return top;
    }

    /** Removes {@code t} if it is in this heap. */
    void remove(ScheduledTimer t) {
        int i = t.heapIndex;
        if (i >= 0 && i < size && heap[i] == t) {
            removeAt(i);
        }
    }

    /** Empties the heap, returning what it held. */
    ScheduledTimer[] drain() {
        ScheduledTimer[] all = Arrays.copyOf(heap, size);
        Arrays.fill(heap, 0, size, null);
        size = 0;
        for (ScheduledTimer t : all) {
            t.heapIndex = -1;
        }
        return all;
    }

    private void removeAt(int i) {
        ScheduledTimer removed = heap[i];
        removed.heapIndex = -1;
        int last = --size;
        if (i != last) {
            ScheduledTimer moved = heap[last];
            heap[i] = moved;
            moved.heapIndex = i;
            heap[last] = null;
            siftDown(i);
            if (heap[i] == moved) {
                siftUp(i);
            }
        } else {
            heap[last] = null;
        }
        if (heap.length > 1024 && size < heap.length / 4) {
            heap = Arrays.copyOf(heap, heap.length / 2);
        }
    }

    private void siftUp(int i) {
        ScheduledTimer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            ScheduledTimer p = heap[parent];
            if (!t.before(p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        ScheduledTimer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].before(heap[child])) {
                child = right;
            }
            if (!heap[child].before(t)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
