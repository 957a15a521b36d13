import Testing
import Vapor
import VaporTesting
import CGzip
@testable import App

/// Issue 7 (B2): kept pages are joined from pieces compressed once (KeptText/KeptPage) instead of
/// being deflated again on every view. What a client inflates must be exactly the plain page, with
/// the session's own CSRF token in it, and a checksum and length gzip readers accept.
@Suite struct KeptPageTests {
    /// `data` inflated as gzip; nil when zlib refuses it (a bad block, CRC-32 or length).
    static func gunzip(_ data: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard dj_inflate_init_gzip(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var input = data, out: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { inp in
            stream.next_in = inp.baseAddress
            stream.avail_in = uInt(inp.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { c in
                    stream.next_out = c.baseAddress
                    stream.avail_out = uInt(c.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    out += c[0..<(c.count - Int(stream.avail_out))]
                }
            } while status == Z_OK
        }
        // the whole input read, the trailer checked
        return status == Z_STREAM_END && stream.avail_in == 0 ? out : nil
    }

    @Test func aJoinedGzipPageInflatesToThePlainPage() throws {
        let marker = ShellPage.csrfMarker
        var random = SystemRandomNumberGenerator()
        // a page larger than one stored block, text that compresses and text that does not
        let noise = String((0..<90_000).map { _ in Character(UnicodeScalar(UInt8.random(in: 32...126, using: &random))) })
        let texts = [
            KeptText("<html><head>\(marker)</head><body>", cutAt: marker),
            KeptText(marker + String(repeating: "<tr><td>第一党支部</td><td>五星</td></tr>\n", count: 3_000) + marker + noise + marker, cutAt: marker),
            KeptText("", cutAt: marker),
            KeptText("</body>\(marker)\(marker)</html>🎉", cutAt: marker),
        ]
        for word in ["Zx9_token-Ab", "", "党"] {
            let page = KeptPage(texts: texts, word: word)
            let plain = Array(buffer: page.plain())
            #expect(plain == Array(texts.map { $0.text(with: word) }.joined().utf8))
            #expect(String(decoding: plain, as: UTF8.self).components(separatedBy: word.isEmpty ? "\u{0}" : word).count - 1 == (word.isEmpty ? 0 : 6 + (word == "党" ? 3_000 : 0)))
            let zipped = Array(buffer: page.gzipped())
            #expect(zipped.count < plain.count / 2)
            #expect(Self.gunzip(zipped) == plain, "word \(word)")
            // a flipped byte in the trailer is caught: the checksum is the whole page's
            var broken = zipped
            broken[broken.count - 6] ^= 0x01
            #expect(Self.gunzip(broken) == nil)
        }
    }

    @Test func acceptEncodingIsRead() {
        func accepts(_ value: String?) -> Bool {
            var h = HTTPHeaders()
            if let value { h.add(name: .acceptEncoding, value: value) }
            return KeptPage.acceptsGzip(h)
        }
        #expect(accepts("gzip, deflate, br"))
        #expect(accepts("br;q=1.0, GZIP;q=0.5"))
        #expect(accepts("*"))
        #expect(!accepts(nil))
        #expect(!accepts("identity"))
        #expect(!accepts("br, gzip;q=0"))
        #expect(!accepts("gzip;q=0, *"))
        #expect(accepts("br, *;q=0.1"))
    }

    @Test func keptPagesComeGzippedWithTheSessionsOwnToken() async throws {
        try await withTestApp { t in
            let gongwei = try await t.login("gongwei")
            let other = try await t.login("gongwei")
            try await other.get("/")          // plain: the Browser reads its session's token
            for path in ["/", "/orgs", "/ratings", "/members", "/members?page=2", "/members?q=张"] {
                gongwei.acceptEncoding = nil
                let plain = try await gongwei.get(path)
                #expect(plain.status == .ok && plain.headers.first(name: .contentEncoding) == nil)
                gongwei.acceptEncoding = "gzip, deflate, br"
                let zipped = try await gongwei.get(path)
                #expect(zipped.headers.first(name: .contentEncoding) == "gzip", "\(path)")
                #expect(zipped.headers.first(name: .vary) == "Accept-Encoding")
                let html = try #require(Self.gunzip(Array(buffer: zipped.body)).map { String(decoding: $0, as: UTF8.self) }, "\(path)")
                #expect(html == plain.body.string, "\(path)")
                #expect(html.contains("value=\"\(gongwei.csrf)\"") && html.contains("<html") && html.contains("</html>"))
                #expect(!html.contains(ShellPage.csrfMarker) && !html.contains(ShellPage.bodyMarker))
                // another session of the same user: the same kept pieces, its own token
                other.acceptEncoding = "gzip"
                let theirs = try #require(Self.gunzip(Array(buffer: try await other.get(path).body)).map { String(decoding: $0, as: UTF8.self) })
                #expect(theirs.contains("value=\"\(other.csrf)\"") && !theirs.contains(gongwei.csrf))
                // a client that refuses gzip gets the page plain
                gongwei.acceptEncoding = "gzip;q=0"
                let refused = try await gongwei.get(path)
                #expect(refused.headers.first(name: .contentEncoding) == nil && refused.body.string == plain.body.string)
            }
        }
    }

    static func json(_ bytes: [UInt8]) -> NSDictionary? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? NSDictionary
    }

    @Test func keptAPIListsAreTheSameJSONPlainOrGzipped() async throws {
        try await withTestApp { t in
            let token = try await t.token("gongwei")
            for path in ["/api/v1/orgs", "/api/v1/members?page=1&per=20", "/api/v1/members?page=2&per=5", "/api/v1/ratings?year=2026"] {
                let plain = try await t.api(.GET, path, token: token)
                #expect(plain.status == .ok && plain.headers.contentType == .json, "\(path)")
                #expect(plain.headers.first(name: .contentEncoding) == nil)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: plain.body)) as? [String: Any]
                let items = try #require(object?["items"] as? [Any])
                #expect(!items.isEmpty || path.hasPrefix("/api/v1/ratings"), "\(path)")   // the test bureau has no ratings yet
                // the same document again and gzipped (compared as JSON: tests alongside write, so it may be
                // encoded anew, and the encoder's key order is not fixed)
                let again = try await t.api(.GET, path, token: token)
                #expect(Self.json(Array(buffer: again.body)) == Self.json(Array(buffer: plain.body)))
                let zipped = try await t.api(.GET, path, token: token, acceptEncoding: "gzip")
                #expect(zipped.headers.first(name: .contentEncoding) == "gzip" && zipped.headers.contentType == .json)
                let inflated = try #require(Self.gunzip(Array(buffer: zipped.body)), "\(path)")
                #expect(Self.json(inflated) == Self.json(Array(buffer: plain.body)), "\(path)")
            }
        }
    }
}
