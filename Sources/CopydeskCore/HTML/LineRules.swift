/// Whole lines that are page furniture wherever they stand: share and print labels, "read more"
/// prompts, ad labels, and lines that hold nothing but a date.
enum LineRules {
    /// Labels of share, print and navigation buttons and of ad slots, in the languages of the
    /// web's news pages (compared lower-cased, without surrounding punctuation).
    static let labels: Set<String> = [
        "share", "share this", "share this article", "share this story", "share this post", "share on facebook",
        "share on twitter", "tweet", "email", "e-mail", "mail", "print", "facebook", "twitter", "whatsapp",
        "linkedin", "pinterest", "xing", "reddit", "pocket", "flipboard", "telegram", "instagram", "copy link",
        "read more", "continue reading", "more", "advertisement", "sponsored", "related", "related articles",
        "related posts", "related stories", "you may also like", "top", "back to top", "comments", "comment",
        "leave a comment", "leave a reply", "reply", "next", "previous", "next post", "previous post",
        "teilen", "drucken", "weiterlesen", "mehr", "anzeige", "werbung", "link kopieren", "kommentare",
        "kommentar", "nach oben", "zurück", "weiter", "artikel teilen", "seite drucken", "mehr zum thema",
        "lesen sie auch", "das könnte sie auch interessieren", "auch interessant",
        "partager", "imprimer", "lire la suite", "publicité", "lire aussi", "à lire aussi",
        "compartir", "imprimir", "leer más", "publicidad", "lee también",
        "condividi", "stampa", "pubblicità", "leggi anche", "delen", "lees meer", "advertentie",
    ]

    private static let edges = Set(" .:!?…»«›‹>→|/-–—•·*()[]")
    private static let dateEdges = Set(".:-/()")

    private static func trim(_ text: some StringProtocol, _ characters: Set<Character>) -> String {
        guard let start = text.firstIndex(where: { !characters.contains($0) }) else { return "" }
        let end = text.lastIndex(where: { !characters.contains($0) })!
        return String(text[start ... end])
    }

    static func isBoilerplateLine(_ line: String) -> Bool {
        guard line.utf8.count <= 80 else { return false }
        let lowered = line.lowercased()
        let trimmed = trim(lowered, edges)
        if trimmed.isEmpty { return true }
        if labels.contains(trimmed) { return true }
        return isDateLine(trimmed)
    }

    /// Words of newsletter and subscription prompts and of affiliate disclosures, in the languages
    /// of the web's news pages (compared lower-cased, anywhere in a paragraph).
    static let callToActionWords: [StaticString] = [
        "newsletter", "subscribe", "subscription", "subscriber", "sign up", "signup", "sign-up", "affiliate link",
        "affiliate-link", "affiliate program", "affiliate-programm", "advertiser", "abonnier", "abonnez", "suscrib",
        "suscríb", "subskryp", "iscriviti", "inscrivez", "inscreva", "assine",
    ]

    /// The paragraphs without the prompts at the start and end of the text (the first two and the
    /// last three paragraphs, of 300 characters at most) that ask the reader to subscribe or sign
    /// up, or disclose affiliate links, unless the text itself is about what they name: a word of
    /// the prompt that the paragraphs between the edges use too is the article's subject.
    static func withoutCallsToAction(_ paragraphs: [String]) -> [String] {
        let count = paragraphs.count
        guard count >= 4 else { return paragraphs }
        let isEdge: (Int) -> Bool = { $0 < 2 || $0 >= count - 3 }
        // Which words each short edge paragraph holds, as a bit set over `callToActionWords`.
        var words = [UInt32](repeating: 0, count: count)
        for index in 0 ..< count where isEdge(index) && paragraphs[index].utf8.count <= 600 {
            let bytes = Array(paragraphs[index].utf8)[...]
            guard bytes.count <= 300 || paragraphs[index].count <= 300 else { continue }
            for (bit, word) in callToActionWords.enumerated() where bytes.lowercasedASCIIContains(word) {
                words[index] |= 1 << UInt32(bit)
            }
        }
        let prompts = words.reduce(0, |)
        guard prompts != 0 else { return paragraphs }
        // The words of the prompts that the paragraphs between the edges use too.
        var topics: UInt32 = 0
        for index in 0 ..< count where !isEdge(index) {
            let bytes = Array(paragraphs[index].utf8)[...]
            for (bit, word) in callToActionWords.enumerated()
            where prompts & (1 << UInt32(bit)) != 0 && bytes.lowercasedASCIIContains(word) {
                topics |= 1 << UInt32(bit)
            }
        }
        return paragraphs.indices.compactMap { index in
            words[index] != 0 && words[index] & topics == 0 ? nil : paragraphs[index]
        }
    }

    /// Labels that open a picture credit, a caption or a source line ("Foto: dpa", "Abbildung 4: …",
    /// "Source: Reuters"), compared lower-cased, before the colon and without a figure number.
    static let creditLabels: Set<String> = [
        "foto", "fotos", "bild", "bilder", "photo", "photos", "photograph", "picture", "image", "images", "credit",
        "credits", "crédit", "crédits", "titelbild", "beitragsbild", "headerbild", "teaserbild", "vorschaubild",
        "symbolbild", "aufmacherbild", "illustration", "grafik", "abbildung", "abb.", "figure", "fig.", "quelle",
        "quellen", "source", "sources", "fuente", "fonte", "bildquelle", "fotoquelle", "copyright",
    ]

    /// A line of at most 200 characters that credits a picture or names a source: a credit label
    /// and a colon, or a copyright sign, at its start (after an opening parenthesis).
    static func isCreditLine(_ line: some StringProtocol) -> Bool {
        let bytes = line.utf8
        guard bytes.count <= 800 else { return false }
        // Quick refusal on the bytes: no colon near the start and no copyright sign (C2 A9) there.
        let head = bytes.prefix(48)
        guard head.contains(0x3A) || head.contains(0xA9) else { return false }
        guard line.count <= 200 else { return false }
        var rest = line.drop(while: { $0 == " " || $0 == "(" || $0 == "[" })
        if rest.hasPrefix("©") { return true }
        guard let colon = rest.prefix(24).firstIndex(of: ":") else { return false }
        rest = rest[..<colon]
        // "Abbildung 4:", "Fig. 2:": the figure's number is not part of the label.
        let label = rest.trimmingSuffix(while: { $0 == " " || $0.isNumber }).lowercased()
        return creditLabels.contains(label)
    }

    private static let monthsAndDays: Set<String> = [
        "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july",
        "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december",
        "januar", "jänner", "februar", "märz", "mai", "juni", "juli", "oktober", "dezember",
        "janvier", "février", "mars", "avril", "juin", "juillet", "août", "septembre", "octobre", "novembre",
        "décembre", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
        "octubre", "noviembre", "diciembre",
        "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
        "mo", "di", "mi", "do", "fr", "sa", "so",
    ]

    private static let dateWords: Set<String> = [
        "am", "pm", "um", "uhr", "at", "on", "de", "del", "le", "den", "the", "of", "h", "gmt", "utc", "cet",
        "cest", "mez", "mesz", "est", "edt", "pst", "pdt", "bst",
        "published", "updated", "posted", "last", "modified", "veröffentlicht", "aktualisiert", "erstellt",
        "geändert", "stand", "datum", "date", "publié", "mis", "à", "jour", "publicado", "actualizado",
    ]

    /// A line made only of numbers, month and weekday names and the words around a timestamp
    /// ("Updated 3 May 2021, 14:02", "31. Mai", "Stand: 02.03.2021").
    static func isDateLine(_ line: String) -> Bool {
        guard line.count <= 60, line.contains(where: \.isNumber) else { return false }
        let words = line.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "|" || $0 == "\n" })
        guard words.count <= 9 else { return false }
        var evidence = 0
        for word in words {
            let core = trim(Substring(word), dateEdges)
            if core.isEmpty { continue }
            if core.allSatisfy({ $0.isNumber || ".:/-".contains($0) }) {
                // 02.03.2021, 2021-03-02, 14:02 are dates and times; a bare number is not.
                if core.filter({ ".:/-".contains($0) }).count >= 2 || core.contains(":") { evidence += 1 }
                continue
            }
            let word = core.hasSuffix(".") ? String(core.dropLast()) : core
            if monthsAndDays.contains(word) {
                evidence += 1
                continue
            }
            if dateWords.contains(word) { continue }
            return false
        }
        return evidence > 0
    }
}

extension StringProtocol {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> SubSequence {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[..<end]
    }
}
