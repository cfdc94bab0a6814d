/// The HTML elements copydesk tells apart; every other element is ``other`` (and treated as inline).
enum HTMLTag: UInt8, Sendable {
    case text, other
    // Document structure.
    case html, head, body, title, meta, link, base, script, style, noscript, template
    // Sectioning and blocks.
    case main, article, section, div, header, footer, nav, aside, address, center, details, summary
    case p, h1, h2, h3, h4, h5, h6, hgroup, blockquote, pre, hr, br
    case ul, ol, li, dl, dt, dd, menu
    case table, caption, thead, tbody, tfoot, tr, td, th
    case figure, figcaption, form, fieldset, legend, dialog
    // Inline content copydesk reads.
    case a, time, img, span, em, strong, b, i, u, small, sup, sub, code, q, cite, abbr, mark, font
    /// A MathML formula: flattened to one text node, its TeX (`alttext`, a TeX annotation) or else
    /// its symbols (see ``HTMLDocument``), read inline like a word of its paragraph.
    case math
    // Content that is never text of the article.
    case iframe, svg, canvas, object, embed, applet, audio, video, picture, source, track, map, area
    case button, select, option, optgroup, input, textarea, label, datalist, output, progress, meter
    case frame, frameset, noframes, param
    // Ruby annotations: the reading of the base text beside it (`<ruby>漢字<rt>かんじ</rt></ruby>`).
    case rt, rp

    /// The tag named by the FNV-1a hash of its lower-case name.
    static func lookup(_ hash: UInt64) -> HTMLTag { byHash[hash] ?? .other }

    private static let byHash: [UInt64: HTMLTag] = {
        var table = [UInt64: HTMLTag]()
        var raw: UInt8 = HTMLTag.html.rawValue
        while let tag = HTMLTag(rawValue: raw) {
            table[FNV1a.hash(Array(String(describing: tag).utf8))] = tag
            raw += 1
        }
        return table
    }()

    /// Elements whose content is never read: scripts, styles, embedded media, form controls, frames,
    /// ruby annotations.
    var isSkipped: Bool {
        switch self {
        case .script, .style, .template, .iframe, .svg, .canvas, .object, .embed, .applet,
            .audio, .video, .picture, .source, .track, .map, .area, .button, .select, .option, .optgroup, .input,
            .textarea, .datalist, .output, .progress, .meter, .frame, .frameset, .noframes, .param, .head, .title,
            .meta, .link, .base, .dialog, .rt, .rp:
            true
        default:
            false
        }
    }

    /// Elements that start a new line of text.
    var isBlockLevel: Bool {
        switch self {
        case .html, .body, .main, .article, .section, .div, .header, .footer, .nav, .aside, .address, .center,
            .details, .summary, .p, .h1, .h2, .h3, .h4, .h5, .h6, .hgroup, .blockquote, .pre, .hr, .ul, .ol,
            .li, .dl, .dt, .dd, .menu, .table, .caption, .thead, .tbody, .tfoot, .tr, .td, .th, .figure,
            .figcaption, .form, .fieldset, .legend, .dialog, .br, .title, .noscript, .iframe, .frameset,
            .textarea, .select, .option:
            true
        default:
            false
        }
    }

    var isHeading: Bool {
        switch self {
        case .h1, .h2, .h3, .h4, .h5, .h6: true
        default: false
        }
    }

    /// Block elements that hold one paragraph of running text.
    var isParagraphLike: Bool {
        switch self {
        case .p, .pre, .blockquote, .li, .dd, .dt, .td, .th, .address, .h1, .h2, .h3, .h4, .h5, .h6:
            true
        default:
            false
        }
    }

    var isList: Bool {
        switch self {
        case .ul, .ol, .dl, .menu: true
        default: false
        }
    }
}
