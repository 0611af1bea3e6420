import Foundation
import MediaTestSupport
import Testing

/// `deblur`'s motion gate (on by default for video with the GAN): a still shot passes as decoded, a pan is
/// processed; the classical methods are not gated.
@Suite struct MotionGateCLITests {
    let cli = EvalCompareTests()

    /// The largest per-frame MSE (8-bit units) between two clips, as `eval` scores them.
    func worstMSE(_ a: URL, _ b: URL) throws -> Double {
        let r = try cli.run(["eval", a.path, b.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try #require(cli.json(r.stdout)["frames"] as? [[String: Any]])
        #expect(rows.count == 6)
        return rows.map { $0["mse"] as? Double ?? .infinity }.max() ?? .infinity
    }

    @Test func aStillShotPassesAsDecodedAndAPanIsProcessed() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let still = dir.appendingPathComponent("still.mkv"), pan = dir.appendingPathComponent("pan.mkv")
        // The same soft picture six times, and a soft crop moving 6 px a frame across a larger one.
        try cli.makeRGBClip(still, source: "testsrc2=s=96x64:r=25", frames: 1, filter: "gblur=sigma=1.5,loop=loop=5:size=1")
        try cli.makeRGBClip(pan, source: "testsrc2=s=192x64:r=25", frames: 6, filter: "gblur=sigma=1.5,crop=96:64:6*n:0")
        func deblur(_ input: URL, _ name: String, _ extra: [String]) throws -> URL {
            let out = dir.appendingPathComponent(name)
            let r = try cli.run([input.path, "-o", out.path, "--codec", "ffv1"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            return out
        }
        let stillGated = try deblur(still, "still-gated.mkv", [])
        let stillPlain = try deblur(still, "still-plain.mkv", ["--no-motion-gate"])
        #expect(try worstMSE(still, stillGated) < 0.5, "nothing moved: the frames pass as decoded")
        #expect(try worstMSE(still, stillPlain) > 1, "without the gate, the GAN changes them")
        let panGated = try deblur(pan, "pan-gated.mkv", [])
        let panPlain = try deblur(pan, "pan-plain.mkv", ["--no-motion-gate"])
        #expect(try worstMSE(pan, panGated) > 0.5, "a pan is processed")
        #expect(try worstMSE(panPlain, panGated) < 0.1, "and where it moves, as without the gate")
        // `compare` runs the GAN as `deblur` does: gated, it scores as the untouched input on the still shot.
        func comparePSNR(_ extra: [String]) throws -> [String: Double] {
            let r = try cli.run(["compare", still.path, stillPlain.path, "--methods", "none,gan"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            var psnr: [String: Double] = [:]
            for line in r.stdout.split(separator: "\n") {
                let cells = line.split(separator: " ")
                if cells.count == 6, let v = Double(cells[1]) { psnr[String(cells[0])] = v }
            }
            return psnr
        }
        let gated = try comparePSNR([]), plain = try comparePSNR(["--no-motion-gate"])
        #expect(gated["gan"] != nil && gated["gan"] == gated["none"], "\(gated)")
        #expect((plain["gan"] ?? 0) > (plain["none"] ?? .infinity) + 10, "ungated, it gives the ungated output: \(plain)")
        // A classical method's PSF may be defocus, which needs no motion: it is not gated.
        let unsharp = try deblur(still, "still-unsharp.mkv", ["--method", "unsharp"])
        #expect(try worstMSE(still, unsharp) > 2)
    }
}
