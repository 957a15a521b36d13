// zlib (system library; swift-nio-extras already needs its headers), with the two function-like
// macros Swift cannot call written as functions.
#include <zlib.h>

/// A raw deflate stream (no zlib or gzip wrapper): the pieces of a kept page are joined into one
/// gzip member by the App (Views/KeptText.swift).
static inline int dj_deflate_init_raw(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}

/// Inflate with a gzip wrapper, header and trailer checked (tests read the joined pages back).
static inline int dj_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, MAX_WBITS + 16);
}
