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

/// A plain text table: columns padded to their widest cell (or a minimum width), the last column
/// left unpadded.
struct Table {
    var header: [String]
    var rows: [[String]] = []
    var minimumWidths: [Int] = []

    /// - Parameter colorize: decorates a padded cell (column index, text) when `color` is on.
    func render(
        color: Bool, colorize: (Int, String) -> String = { $1 }, header showHeader: Bool = true
    ) -> String {
        var widths = header.map(\.count)
        for (index, minimum) in minimumWidths.enumerated() where index < widths.count {
            widths[index] = max(widths[index], minimum)
        }
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String], decorate: Bool) -> String {
            cells.enumerated().map { index, cell in
                let padded =
                    index == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] - cell.count))
                return decorate ? colorize(index, padded) : padded
            }.joined(separator: "  ")
        }
        var out = ""
        if showHeader {
            out += color ? "\u{1B}[1m" + line(header, decorate: false) + "\u{1B}[0m\n" : line(header, decorate: false) + "\n"
        }
        for row in rows { out += line(row, decorate: color) + "\n" }
        return out
    }
}

extension String {
    /// A similarity with two decimals.
    init(format2 value: Double) {
        self = String(format: "%.2f", value)
    }
}
