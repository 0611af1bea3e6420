import Foundation

/// Writes a per-frame PSNR line chart as plain-text SVG: one polyline per method, axes with ticks, a legend.
///
/// Infinite PSNR (identical frames) is drawn at the top of the axis and noted in the legend.
public struct PSNRPlot: Sendable {
    /// One method's per-frame PSNR values (dB), in frame order.
    public struct Series: Sendable {
        public var name: String
        public var psnr: [Double]
        public init(name: String, psnr: [Double]) {
            self.name = name
            self.psnr = psnr
        }
    }

    public var title: String
    public var series: [Series]
    public var width: Int = 900
    public var height: Int = 480

    public init(title: String = "Per-frame PSNR", series: [Series]) {
        self.title = title
        self.series = series
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// The SVG document.
    public var svg: String {
        let left = 60.0, right = 170.0, top = 40.0, bottom = 50.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let finite = series.flatMap(\.psnr).filter(\.isFinite)
        // Round the axis out to a "nice" tick step (1, 2 or 5 × 10^k) so ticks fall on round numbers.
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if hi - lo < 1 { lo -= 0.5; hi += 0.5 }
        let raw = (hi - lo) / 5
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        lo = (lo / step).rounded(.down) * step
        hi = (hi / step).rounded(.up) * step
        let ticks = Int(((hi - lo) / step).rounded())
        let frames = max(1, series.map(\.psnr.count).max() ?? 1)
        func px(_ i: Int) -> Double { left + (frames > 1 ? Double(i) / Double(frames - 1) : 0.5) * plotW }
        func py(_ v: Double) -> Double {
            let c = v.isFinite ? v : hi
            return top + (1 - (c - lo) / (hi - lo)) * plotH
        }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(Self.escape(title))</text>\n"
        // Axes, grid and ticks.
        s += "<g stroke=\"#000\" stroke-width=\"1\"><line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\"/>"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\"/></g>\n"
        for k in 0...ticks {
            let v = lo + step * Double(k)
            let y = py(v)
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(String(format: step < 1 ? "%.1f" : "%.0f", v))</text>\n"
        }
        let xticks = min(frames, 6)
        for k in 0..<xticks {
            let i = xticks > 1 ? k * (frames - 1) / (xticks - 1) : 0
            s += "<text x=\"\(f(px(i)))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(i)</text>\n"
        }
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(Double(height) - 10))\" text-anchor=\"middle\">frame</text>\n"
        s += "<text x=\"16\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(top + plotH / 2)))\">PSNR (dB)</text>\n"
        for (n, sr) in series.enumerated() {
            let colour = Self.palette[n % Self.palette.count]
            let points = sr.psnr.enumerated().map { "\(f(px($0.offset))),\(f(py($0.element)))" }.joined(separator: " ")
            if sr.psnr.count == 1 {
                s += "<circle cx=\"\(f(px(0)))\" cy=\"\(f(py(sr.psnr[0])))\" r=\"3\" fill=\"\(colour)\"/>\n"
            } else {
                s += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
            }
            let ly = top + 10 + Double(n) * 20
            let note = sr.psnr.contains { $0 == .infinity } ? " (inf at top)" : ""
            s += "<line x1=\"\(f(left + plotW + 12))\" y1=\"\(f(ly))\" x2=\"\(f(left + plotW + 36))\" y2=\"\(f(ly))\" stroke=\"\(colour)\" stroke-width=\"3\"/>"
            s += "<text x=\"\(f(left + plotW + 42))\" y=\"\(f(ly + 4))\">\(Self.escape(sr.name + note))</text>\n"
        }
        s += "</svg>\n"
        return s
    }

    static func escape(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
