import Foundation

/// The named fields of a `multipart/form-data` body (RFC 7578), enough for the page's two-file comparison.
///
/// Filenames the client sends are ignored: fields are looked up by their form name only.
struct MultipartForm {
    private(set) var fields: [String: Data] = [:]

    /// Parses `body` using the boundary from `contentType`; throws `.badRequest` on anything malformed.
    init(contentType: String, body: Data) throws(WebError) {
        guard let boundary = Self.boundary(in: contentType) else {
            throw .badRequest("expected multipart/form-data with a boundary")
        }
        let delimiter = Data("--\(boundary)".utf8)
        let crlf = Data("\r\n".utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        guard var cursor = body.range(of: delimiter)?.upperBound else {
            throw .badRequest("multipart body has no boundary line")
        }
        while true {
            // After a delimiter: "--" closes the body, otherwise CRLF starts a part.
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard body[cursor...].starts(with: crlf) else { throw .badRequest("malformed multipart delimiter") }
            let partStart = cursor + crlf.count
            guard let headersRange = body.range(of: headerEnd, in: partStart..<body.endIndex) else {
                throw .badRequest("multipart part without headers")
            }
            let headers = String(decoding: body[partStart..<headersRange.lowerBound], as: UTF8.self)
            guard let next = body.range(of: crlf + delimiter, in: headersRange.upperBound..<body.endIndex) else {
                throw .badRequest("multipart part is not terminated")
            }
            if let name = Self.fieldName(in: headers) {
                // Two files under one name would leave it unclear which one was compared.
                guard fields[name] == nil else { throw .badRequest("the form has more than one \"\(name)\" field") }
                fields[name] = Data(body[headersRange.upperBound..<next.lowerBound])
            }
            cursor = next.upperBound
        }
    }

    subscript(name: String) -> Data? { fields[name] }

    /// Whether a Content-Type header announces a form upload.
    static func isMultipart(_ contentType: String) -> Bool {
        contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "multipart/form-data"
    }

    static func boundary(in contentType: String) -> String? {
        guard isMultipart(contentType) else { return nil }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        for p in parts.dropFirst() where p.lowercased().hasPrefix("boundary=") {
            var value = String(p.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.count > 70 ? nil : value
        }
        return nil
    }

    static func fieldName(in headers: String) -> String? {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            for param in line.split(separator: ";").dropFirst() {
                let p = param.trimmingCharacters(in: .whitespaces)
                guard p.hasPrefix("name=") else { continue }  // not `filename=`: that one is ignored
                var value = String(p.dropFirst("name=".count))
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                return value
            }
        }
        return nil
    }
}
