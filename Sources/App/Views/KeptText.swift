import CGzip
import Vapor

/// Page text kept with its gzip form, cut where each request puts its own words (the session's CSRF
/// token). Each piece is compressed once, as raw deflate ended by a sync flush (whole bytes, no last
/// block), so a response is joined from the kept pieces and the request's token into one gzip member
/// (RFC 1952) without compressing the page again. Vapor's compressor had deflated a 60–220 KB org
/// tree or committee dashboard on every view, most of such a page's time once its body was kept.
struct KeptText: Sendable {
    struct Piece: Sendable {
        let raw: [UInt8]
        let deflated: [UInt8]
        let crc: UInt
        /// What moves a CRC-32 past this piece's length (zlib's crc32_combine_gen), so joining costs one
        /// multiplication per piece.
        let shift: UInt
    }
    let pieces: [Piece]

    /// `text` cut at every `marker` (none: one piece); the request's word goes where each marker was.
    init(_ text: String, cutAt marker: String?) {
        pieces = (marker.map { text.components(separatedBy: $0) } ?? [text]).map { part in
            let raw = Array(part.utf8)
            return Piece(raw: raw, deflated: Self.deflate(raw), crc: raw.withUnsafeBufferPointer { CGzip.crc32(0, $0.baseAddress, uInt($0.count)) },
                         shift: crc32_combine_gen(off_t(raw.count)))
        }
    }

    /// The text with `word` where the markers were.
    func text(with word: String) -> String {
        pieces.map { String(decoding: $0.raw, as: UTF8.self) }.joined(separator: word)
    }

    /// Raw deflate of `bytes` ended by a sync flush: byte-aligned and without a final block, so it can
    /// be followed by other deflate blocks.
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.isEmpty { return [] }
        var stream = z_stream()
        guard dj_deflate_init_raw(&stream, Z_DEFAULT_COMPRESSION) == Z_OK else { fatalError("zlib: deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        var input = bytes
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 16)
        var written = 0
        input.withUnsafeMutableBufferPointer { inp in
            stream.next_in = inp.baseAddress
            stream.avail_in = uInt(inp.count)
            while true {
                if written == out.count { out += [UInt8](repeating: 0, count: out.count / 2 + 64) }
                let status: Int32 = out.withUnsafeMutableBufferPointer { o in
                    stream.next_out = o.baseAddress! + written
                    stream.avail_out = uInt(o.count - written)
                    let s = CGzip.deflate(&stream, Z_SYNC_FLUSH)
                    written = o.count - Int(stream.avail_out)
                    return s
                }
                precondition(status == Z_OK || status == Z_BUF_ERROR, "zlib: deflate failed (\(status))")
                // a sync flush is complete when zlib leaves room in the output
                if stream.avail_in == 0 && stream.avail_out > 0 { break }
            }
        }
        out.removeLast(out.count - written)
        return out
    }
}

/// A page (or a JSON list) joined from kept texts with the request's word (its CSRF token) where
/// their markers were: plain, or as one gzip member when the client accepts gzip.
struct KeptPage: AsyncResponseEncodable {
    var texts: [KeptText]
    var word: String
    var contentType: HTTPMediaType = .html

    func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = contentType
        headers.add(name: .vary, value: "Accept-Encoding")
        // already compressed, or meant plain: Vapor's compressor leaves this response alone
        headers.responseCompression = .disable
        let gzip = Self.acceptsGzip(request.headers)
        if gzip { headers.replaceOrAdd(name: .contentEncoding, value: "gzip") }
        return Response(status: .ok, headers: headers, body: .init(buffer: gzip ? gzipped() : plain()))
    }

    func plain() -> ByteBuffer {
        let word = Array(word.utf8)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(texts.reduce(0) { $0 + $1.pieces.reduce(0) { $0 + $1.raw.count + word.count } })
        for text in texts {
            for (i, piece) in text.pieces.enumerated() {
                if i > 0 { buffer.writeBytes(word) }
                buffer.writeBytes(piece.raw)
            }
        }
        return buffer
    }

    /// One gzip member: header, the pieces' deflate blocks with the word in stored blocks between
    /// them, an empty final block, then the CRC-32 of the whole (combined from the pieces') and its
    /// length.
    func gzipped() -> ByteBuffer {
        let word = Array(word.utf8)
        precondition(word.count <= 0xFFFF, "a stored block holds at most 65,535 bytes")
        var buffer = ByteBuffer()
        buffer.reserveCapacity(texts.reduce(32) { $0 + $1.pieces.reduce(0) { $0 + $1.deflated.count + word.count + 5 } })
        buffer.writeBytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF])   // gzip, deflate, no name, no time, unknown OS
        var crc: UInt = 0, length = 0
        for text in texts {
            for (i, piece) in text.pieces.enumerated() {
                if i > 0 && !word.isEmpty {
                    let n = UInt16(word.count)
                    buffer.writeBytes([0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)])
                    buffer.writeBytes(word)
                    crc = word.withUnsafeBufferPointer { CGzip.crc32(crc, $0.baseAddress, uInt($0.count)) }
                    length += word.count
                }
                guard !piece.raw.isEmpty else { continue }
                buffer.writeBytes(piece.deflated)
                crc = crc32_combine_op(crc, piece.crc, piece.shift)
                length += piece.raw.count
            }
        }
        buffer.writeBytes([1, 0, 0, 0xFF, 0xFF])                    // final, empty stored block
        buffer.writeInteger(UInt32(truncatingIfNeeded: crc), endianness: .little)
        buffer.writeInteger(UInt32(truncatingIfNeeded: length), endianness: .little)
        return buffer
    }

    /// Whether Accept-Encoding allows gzip (a q of 0 refuses it; `*` stands for anything not named).
    static func acceptsGzip(_ headers: HTTPHeaders) -> Bool {
        var gzip: Double?, any: Double?
        for value in headers[.acceptEncoding] {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard let name = parts.first else { continue }
                let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
                if name == "gzip" || name == "x-gzip" { gzip = q } else if name == "*" { any = q }
            }
        }
        return (gzip ?? any ?? 0) > 0
    }
}
