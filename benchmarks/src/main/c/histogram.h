/*
 * A log-linear latency histogram in nanoseconds (HdrHistogram's layout, 64 sub-buckets per power
 * of two): values below 128 ns are exact, larger ones are kept within 1/64 (1.6%). Recording is a
 * few shifts and an increment, so it costs the load generator nothing measurable.
 */
#ifndef ROUNDHOUSE_HISTOGRAM_H
#define ROUNDHOUSE_HISTOGRAM_H

#include <stdint.h>
#include <string.h>

#define HIST_SUB 64
#define HIST_BUCKETS (128 + 58 * HIST_SUB)

struct histogram {
    uint64_t counts[HIST_BUCKETS];
    uint64_t total;
    uint64_t max;
};

static inline void hist_init(struct histogram *h) { memset(h, 0, sizeof *h); }

static inline int hist_index(uint64_t v) {
    if (v < 128) return (int)v;
    int msb = 63 - __builtin_clzll(v);
    int shift = msb - 6;                    /* v >> shift is in [64, 128) */
    return 128 + (shift - 1) * HIST_SUB + (int)((v >> shift) - HIST_SUB);
}

/* The middle of bucket i's range. */
static inline double hist_value(int i) {
    if (i < 128) return i;
    int shift = (i - 128) / HIST_SUB + 1;
    uint64_t low = (uint64_t)((i - 128) % HIST_SUB + HIST_SUB) << shift;
    return (double)low + (double)((1ull << shift) - 1) / 2.0;
}

static inline void hist_record(struct histogram *h, uint64_t v) {
    h->counts[hist_index(v)]++;
    h->total++;
    if (v > h->max) h->max = v;
}

/* The value at percentile p (0-100), or 0 when empty. */
static inline double hist_percentile(const struct histogram *h, double p) {
    if (h->total == 0) return 0;
    uint64_t rank = (uint64_t)((p / 100.0) * (double)h->total + 0.5);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) return hist_value(i);
    }
    return (double)h->max;
}

static inline double hist_max(const struct histogram *h) { return (double)h->max; }

#endif
