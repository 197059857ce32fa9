// ReportPage: index.html, one self-contained page: the group table (the Markdown table as an HTML
// table), the three drawings inline, the per-run table, and the diverged and skipped runs.
// Written as well-formed XHTML so that any XML parser can read it back.

/// The report's HTML page.
public enum ReportPage {
    /// The page for `grouped` with the drawings `plots` (title, SVG) and the directories `skipped`;
    /// `sections` (XHTML) go after the drawings, before the per-run table.
    public static func html(
        _ grouped: GroupedRuns, plots: [(title: String, svg: SVGElement)],
        skipped: [(path: String, reason: String)], sections: [String] = []
    ) -> String {
        let runCount = grouped.groups.reduce(0) { $0 + $1.runs.count + $1.diverged.count }
        var body = [
            element("h1", "kdistill report"),
            element(
                "p",
                "\(runCount) runs in \(grouped.groups.count) groups. Runs are grouped by their resolved config "
                    + "without seed, name, output, description and threads; accuracy is the mean ± sample standard "
                    + "deviation (n − 1) over the seeds of a group, on the test split. last = after the final epoch; "
                    + BestSelection.note(grouped.bestSelection)),
            element("h2", "Results"), table(ResultsTable.groups(grouped)),
        ]
        for plot in plots { body += [element("h2", plot.title), "<div class=\"plot\">\n" + plot.svg.rendered() + "\n</div>"] }
        body += sections
        body += [element("h2", "Runs"), table(ResultsTable.runs(grouped))]
        let diverged = grouped.groups.flatMap { g in g.diverged.map { (g.label, $0) } }
        if !diverged.isEmpty {
            body.append(element("h2", "Diverged runs (not averaged)"))
            body.append(
                list(
                    diverged.map { label, r in
                        "\(r.path) (\(label), seed \(r.seed.map(String.init) ?? "—")): "
                            + (r.summary["detail"]?.stringValue ?? "non-finite loss")
                    }))
        }
        if !skipped.isEmpty {
            body.append(element("h2", "Not reported"))
            body.append(list(skipped.map { "\($0.path): \($0.reason)" }))
        }
        return document(title: "kdistill report", body: body)
    }

    /// A self-contained XHTML page: `title`, the house style, and `body`'s elements in order.
    public static func document(title: String, body: [String]) -> String {
        """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8"/>
        <title>\(SVGElement.escape(title))</title>
        <style>
        body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; }
        th, td { border: 1px solid #ccc; padding: 4px 10px; }
        th { background: #f3f3f3; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .plot { overflow-x: auto; }
        </style>
        </head>
        <body>

        """ + body.joined(separator: "\n") + "\n</body>\n</html>\n"
    }

    /// `table` as an HTML table, numeric columns right-aligned.
    public static func table(_ t: TextTable) -> String {
        var out =
            "<table class=\"results\">\n<thead><tr>" + t.header.map { element("th", $0) }.joined() + "</tr></thead>\n<tbody>\n"
        for row in t.rows {
            out +=
                "<tr>"
                + row.enumerated().map { k, cell in
                    k < t.numeric.count && t.numeric[k]
                        ? "<td class=\"num\">\(SVGElement.escape(cell))</td>" : element("td", cell)
                }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>"
    }

    static func element(_ name: String, _ text: String) -> String { "<\(name)>\(SVGElement.escape(text))</\(name)>" }

    static func list(_ items: [String]) -> String {
        "<ul>\n" + items.map { element("li", $0) }.joined(separator: "\n") + "\n</ul>"
    }
}
