import Foundation

/// A mistyped subcommand (`evl` for `eval`): without this, the default `deblur` takes it for an input file and
/// complains about a missing `-o` instead.
enum CommandSuggestion {
    /// The subcommand `word` was probably meant as: within two edits of one, and not a file that exists.
    static func intended(_ word: String, among names: [String]) -> String? {
        guard !names.contains(word), !word.contains("/"), !word.contains("."), word != "-",
              !FileManager.default.fileExists(atPath: word) else { return nil }
        return names.map { ($0, distance(word.lowercased(), $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
