// Story assignment on a drop set: reads DIR's files in name order (the arrival order), normalizes
// each, computes its story features, and assigns it online against an in-memory story catalog;
// writes {file: story} for `stories-eval --assignment`. Each file is taken as its own article (the
// near-copy merging that copydesk does first is not applied here).
//
// Prints the median and p90 time per article of the serialized part: the procedure's own compute
// (feature extraction excluded), and the same with the in-memory catalog's answers and update.
//
//   swift run -c release StoryEval ../shared/corpora/stories-dev/files --out /tmp/stories.json \
//       [--join 0.25] [--merge 0.4] [--window-days 3] [--lookup 32] [--per-term 16] [--candidates 12]
import CopydeskCore
import Foundation

var arguments = Array(CommandLine.arguments.dropFirst())
var options = [String: String]()
var folders = [String]()
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    if argument.hasPrefix("--"), !arguments.isEmpty {
        options[String(argument.dropFirst(2))] = arguments.removeFirst()
    } else {
        folders.append(argument)
    }
}
guard let folder = folders.first else {
    FileHandle.standardError.write(Data("usage: StoryEval DIR --out FILE [--join X] [--merge X]\n".utf8))
    exit(2)
}
var assigner = StoryAssigner()
if let value = options["join"].flatMap(Double.init) { assigner.joinThreshold = value }
if let value = options["merge"].flatMap(Double.init) { assigner.mergeThreshold = value }
if let value = options["pass-merge"].flatMap(Double.init) { assigner.mergePassThreshold = value }
if let value = options["attach"].flatMap(Double.init) { assigner.attachThreshold = value }
if let value = options["attach-size"].flatMap(Int.init) { assigner.attachSize = value }
if let value = options["attach-margin"].flatMap(Double.init) { assigner.attachMargin = value }
if let value = options["window-days"].flatMap(Double.init) { assigner.window = .seconds(value * 86_400) }
if let value = options["lookup"].flatMap(Int.init) { assigner.lookupTerms = value }
if let value = options["per-term"].flatMap(Int.init) { assigner.storiesPerTerm = value }
if let value = options["candidates"].flatMap(Int.init) { assigner.candidates = value }

let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
let clock = ContinuousClock()
var featureTimes = [Duration]()
var prepared = [(name: String, features: StoryFeatures, time: String)]()
for (index, name) in names.enumerated() {
    guard let data = FileManager.default.contents(atPath: folder + "/" + name),
        let article = try? Normalizer().normalize([UInt8](data))
    else { continue }
    let start = clock.now
    let features = StoryFeatures(article)
    featureTimes.append(clock.now - start)
    // The set has no dates: arrival one minute apart, unless the article says when it was published.
    let arrival = String(format: "2021-01-01T%02d:%02d:00Z", index / 60 % 24, index % 60)
    prepared.append((name, features, article.published ?? arrival))
}

if let dump = options["dump"] {
    // The features, for studying the scoring offline: one line per file, `name channel:key:count ...`.
    var lines = [String]()
    for item in prepared {
        lines.append(item.name + " " + item.features.terms.map { "\($0.channel.rawValue):\($0.key):\($0.count)" }.joined(separator: " "))
    }
    try lines.joined(separator: "\n").write(toFile: dump, atomically: true, encoding: .utf8)
}

if let describe = options["describe"] {
    // The terms' texts: `channel key text` per line.
    var lines = Set<String>()
    for name in names {
        guard let data = FileManager.default.contents(atPath: folder + "/" + name),
            let article = try? Normalizer().normalize([UInt8](data))
        else { continue }
        for (term, text) in StoryFeatures.described(article) { lines.insert("\(term.channel.rawValue) \(term.key) \(text)") }
    }
    try lines.sorted().joined(separator: "\n").write(toFile: describe, atomically: true, encoding: .utf8)
}

let catalog = MemoryStoryCatalog()
var storyOfFile = [String: Int64]()
var procedureTimes = [Duration]()
var totalTimes = [Duration]()
for item in prepared {
    var procedure = assigner.assignment(for: item.features, at: item.time)
    var answer: StoryAnswer?
    var own = Duration.zero
    let start = clock.now
    var update: StoryUpdate?
    while update == nil {
        let stepStart = clock.now
        let step = procedure.next(answer)
        own += clock.now - stepStart
        switch step {
        case .ask(let query): answer = catalog.answer(query)
        case .finished(let result): update = result
        }
    }
    storyOfFile[item.name] = catalog.apply(update!)
    totalTimes.append(clock.now - start)
    procedureTimes.append(own)
}
let passStart = clock.now
let passMerges = options["no-pass"] == nil ? catalog.mergePass(assigner) : 0
let passTime = clock.now - passStart
var output = [String: Int64]()
for (name, story) in storyOfFile { output[name] = catalog.resolve(story) }
let json = try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys])
try json.write(to: URL(fileURLWithPath: options["out"] ?? "stories-assignment.json"))

func quantile(_ values: [Duration], _ q: Double) -> String {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return "-" }
    let value = sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
    return String(format: "%.1f µs", Double(value.components.attoseconds) / 1e12 + Double(value.components.seconds) * 1e6)
}
print("articles \(prepared.count) stories \(Set(output.values).count) merged \(catalog.mergedInto.count)")
print("merge pass: \(passMerges) merges in \(passTime)")
print("features p50 \(quantile(featureTimes, 0.5)) p90 \(quantile(featureTimes, 0.9))")
print("procedure p50 \(quantile(procedureTimes, 0.5)) p90 \(quantile(procedureTimes, 0.9))")
print("procedure+memory catalog p50 \(quantile(totalTimes, 0.5)) p90 \(quantile(totalTimes, 0.9))")
