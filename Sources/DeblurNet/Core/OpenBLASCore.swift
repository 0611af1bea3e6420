import CBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Makes sure OpenBLAS uses SIMD kernels that match the CPU.
///
/// In virtual machines that report a generic CPU model, Debian's dynamic-arch OpenBLAS falls back to its
/// SSE3 "Prescott" kernels (≈4× slower sgemm on an AVX-512 machine). If the user did not choose a core with
/// `OPENBLAS_CORETYPE`, we pick one from the CPU flags and re-run OpenBLAS' dynamic core selection (the
/// exported `gotoblas_dynamic_quit/init` hooks) before the first GEMM.
enum OpenBLASCore {
    /// The OpenBLAS kernel family in use (e.g. "SkylakeX", "Haswell").
    static var name: String { String(cString: openblas_get_corename()) }

    static func configure() {
        #if os(Linux)
        guard getenv("OPENBLAS_CORETYPE") == nil else { return }
        let current = name.lowercased()
        guard ["prescott", "core2", "nehalem", "generic", "unknown", "katmai", "coppermine", "northwood", "banias"].contains(current) else { return }
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let core: String
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl"]) { core = "SkylakeX" }
        else if flags.isSuperset(of: ["avx2", "fma"]) { core = "Haswell" }
        else { return }
        guard let quit = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gotoblas_dynamic_quit"),
              let initFn = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gotoblas_dynamic_init") else { return }
        typealias Hook = @convention(c) () -> Void
        setenv("OPENBLAS_CORETYPE", core, 0)
        unsafeBitCast(quit, to: Hook.self)()
        unsafeBitCast(initFn, to: Hook.self)()
        #endif
    }
}
