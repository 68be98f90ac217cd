/**
 * The byte-stream framing of vde_plug's stdin/stdout and {@code cmd://} (vde-protocols.md §12):
 * each frame as a 2-byte big-endian length and the frame bytes. An encoder, an incremental decoder,
 * a port over a pair of streams and the {@code cmd://} scheme.
 */
package org.jioth.vde.stream;
