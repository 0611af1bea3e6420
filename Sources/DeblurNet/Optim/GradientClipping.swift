/// Scales all gradients so their global L2 norm is at most `maxNorm` (PyTorch `clip_grad_norm_`:
/// coefficient maxNorm / (norm + 1e-6), applied only when below 1). Returns the norm before clipping.
@discardableResult
public func clipGradNorm(_ parameters: [Variable], maxNorm: Float) -> Float {
    var total = 0.0
    for p in parameters { if let g = p.grad { g.withUnsafeBufferPointer { for v in $0 { total += Double(v) * Double(v) } } } }
    let norm = Float(total.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if coef < 1 {
        for p in parameters where p.grad != nil {
            p.grad!.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] *= coef } }
        }
    }
    return norm
}
