import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Output helpers: stderr, and whether colour and tables suit the terminal.
enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Whether stdout is a terminal.
    static var isInteractive: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Whether to colour stdout: a terminal, and `NO_COLOR` unset.
    static var usesColor: Bool {
        isInteractive && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Writes lines to stdout in one go.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// A plain text table: columns padded to their widest cell, the last column left unpadded.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    func render(color: Bool) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
        var out = color ? "\u{1B}[1m" + line(header) + "\u{1B}[0m\n" : line(header) + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }
}
