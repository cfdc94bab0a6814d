// HTML extraction speed, in one run on the same pages:
//   1. a bare libxml2 parse (htmlReadMemory + xmlFreeDoc), one thread: the floor;
//   2. copydesk's Normalizer.normalize, one thread, and its ratio to the bare parse;
//   3. Normalizer.normalize on every core;
//   4. the whole `copydesk extract --json` command on all pages (process start, reading, output).
// Each figure is the median of --rounds runs, interleaved so that load on this shared machine
// hits all of them alike.
//
//   swift build -c release && swift run -c release ExtractBench \
//       --command .build/release/copydesk ../shared/corpora/extraction-dev/cache ../shared/corpora/extraction-dev/eval
import CLibXML2
import CopydeskCore
import Dispatch
import Foundation

func readPages(_ arguments: [String]) -> [(String, [UInt8])] {
    var paths: [String] = []
    for argument in arguments {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else { continue }
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
            paths += names.sorted().map { argument + "/" + $0 }
        } else {
            paths.append(argument)
        }
    }
    return paths.compactMap { path in
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return (path, [UInt8](data))
    }
}

final class Slots<Value>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<Value?>
    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }
    deinit { buffer.deinitialize().deallocate() }
    subscript(index: Int) -> Value? {
        get { buffer[index] }
        set { buffer[index] = newValue }
    }
}

func normalizeAll(_ pages: [(String, [UInt8])], threads: Int) -> Slots<Result<Article, CopydeskError>> {
    let results = Slots<Result<Article, CopydeskError>>(count: pages.count)
    let normalizer = Normalizer()
    if threads <= 1 {
        for index in pages.indices {
            results[index] = Result { () throws(CopydeskError) in try normalizer.normalize(pages[index].1) }
        }
        return results
    }
    let next = Slots<Int>(count: 1)
    next[0] = 0
    let lock = NSLock()
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
        while true {
            lock.lock()
            let index = next[0]!
            next[0] = index + 1
            lock.unlock()
            guard index < pages.count else { return }
            results[index] = Result { () throws(CopydeskError) in try normalizer.normalize(pages[index].1) }
        }
    }
    return results
}

func bareParse(_ pages: [(String, [UInt8])]) -> Int {
    xmlInitParser()
    let options = Int32(
        HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue)
    var parsed = 0
    for (_, bytes) in pages {
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                htmlReadMemory($0.baseAddress, Int32($0.count), nil, nil, options)
            }
        }
        if let document {
            parsed += 1
            xmlFreeDoc(document)
        }
    }
    return parsed
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Runs the whole command on every page, its output discarded.
func runCommand(_ command: String, _ paths: [String]) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command)
    process.arguments = ["extract", "--json"] + paths
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func option(_ name: String, in arguments: inout [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(index...(index + 1)) }
    return arguments[index + 1]
}
var arguments = Array(CommandLine.arguments.dropFirst())
let command = option("--command", in: &arguments)
let rounds = Int(option("--rounds", in: &arguments) ?? "3") ?? 3
let pages = readPages(arguments)
guard !pages.isEmpty else {
    print("usage: ExtractBench [--command PATH-TO-copydesk] [--rounds N] FILE-OR-FOLDER...")
    exit(2)
}
let count = Double(pages.count)
let megabytes = Double(pages.reduce(0) { $0 + $1.1.count }) / 1e6
_ = bareParse(Array(pages.prefix(50)))
_ = normalizeAll(Array(pages.prefix(50)), threads: 1)
let cores = ProcessInfo.processInfo.activeProcessorCount
var bare = [Double](), single = [Double](), parallel = [Double](), whole = [Double]()
for _ in 0..<rounds {
    bare.append(seconds { _ = bareParse(pages) })
    single.append(seconds { _ = normalizeAll(pages, threads: 1) })
    parallel.append(seconds { _ = normalizeAll(pages, threads: cores) })
    if let command {
        whole.append(seconds { _ = runCommand(command, pages.map(\.0)) })
    }
}
print(String(format: "%d pages, %.1f MB, median of %d rounds", pages.count, megabytes, rounds))
print(String(format: "bare libxml2 parse+free, 1 thread:  %.3f ms/page  %5.0f pages/s", median(bare) / count * 1000, count / median(bare)))
print(String(format: "copydesk normalize,      1 thread:  %.3f ms/page  %5.0f pages/s  (%.2fx the bare parse)",
             median(single) / count * 1000, count / median(single), median(single) / median(bare)))
print(String(format: "copydesk normalize, %d threads:                     %5.0f pages/s", cores, count / median(parallel)))
if !whole.isEmpty {
    print(String(format: "copydesk extract --json (whole command):            %5.0f pages/s", count / median(whole)))
}
