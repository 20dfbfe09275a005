package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/owui-mcp/owui-mcp/internal/fakeowui"
	"github.com/owui-mcp/owui-mcp/test/bench"
)

func tokens(s string) int {
	n, err := bench.Tokens(s)
	if err != nil {
		panic(fmt.Sprintf("cl100k tokenizer: %v", err))
	}
	return n
}

// ---- Row 4: tools/list -------------------------------------------------

type toolsListRun struct {
	bytes, tokens, tools, instrTokens int
	perTool                           map[string][2]int // name → bytes, tokens
}

func measureToolsList(e *env, argv, env []string) (toolsListRun, error) {
	var r toolsListRun
	p, err := bench.StartStdio(argv, env, time.Minute)
	if err != nil {
		return r, err
	}
	defer p.Close()
	initRes, err := p.Initialize()
	if err != nil {
		return r, err
	}
	var ir struct {
		Instructions string `json:"instructions"`
	}
	_ = json.Unmarshal(initRes, &ir)
	r.instrTokens = tokens(ir.Instructions)
	res, err := p.Call("tools/list", map[string]any{})
	if err != nil {
		return r, err
	}
	// The result exactly as the server sent it: what a client hands the model.
	r.bytes, r.tokens = len(res), tokens(string(res))
	var tl struct {
		Tools []json.RawMessage `json:"tools"`
	}
	if err := json.Unmarshal(res, &tl); err != nil {
		return r, err
	}
	r.tools = len(tl.Tools)
	r.perTool = map[string][2]int{}
	for _, t := range tl.Tools {
		var n struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(t, &n)
		r.perTool[n.Name] = [2]int{len(t), tokens(string(t))}
	}
	return r, nil
}

func rowToolsList(e *env) (*section, error) {
	up := bench.NewUpstream(bench.DemoFake())
	defer up.Close()
	configs := []struct{ name, flags string }{
		{"all tools on", "--allow-admin --allow-access-changes"},
		{"default flags", ""},
		{"read-only", "--read-only"},
	}
	var rows [][]string
	var lines []line
	var allOn toolsListRun
	for ci, c := range configs {
		argv := append([]string{e.bin}, strings.Fields(c.flags)...)
		var runs []toolsListRun
		for range e.opt.runs {
			r, err := measureToolsList(e, argv, e.upstreamEnv(up.URL()))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.name, err)
			}
			runs = append(runs, r)
		}
		f := func(g func(toolsListRun) int) bench.Summary {
			xs := make([]float64, len(runs))
			for i, r := range runs {
				xs[i] = float64(g(r))
			}
			return summarize(xs)
		}
		by, tk := f(func(r toolsListRun) int { return r.bytes }), f(func(r toolsListRun) int { return r.tokens })
		it := f(func(r toolsListRun) int { return r.instrTokens })
		rows = append(rows, []string{c.name, "`" + strings.TrimSpace("owui-mcp "+c.flags) + "`", strconv.Itoa(runs[0].tools),
			intSum(by, "bytes"), intSum(tk, "tokens"), commas(float64(tk.Median) / float64(runs[0].tools)), intSum(it, "tokens")})
		if ci == 0 {
			allOn = runs[0]
			ok := tk.Median <= 4500
			l := line{ID: "4", Figure: fmt.Sprintf("tools/list, all %d tools on (`--allow-admin --allow-access-changes`)", runs[0].tools),
				Value: intSum(tk, "tokens") + ", " + commas(by.Median) + " bytes", Baseline: none,
				Ratio: fmt.Sprintf("%.0f%% of budget", 100*tk.Median/4500), Target: "≤ 4,500 tokens", Verdict: verdict(ok)}
			if !ok {
				type tt struct {
					name string
					tok  int
				}
				var ts []tt
				for n, v := range runs[0].perTool {
					ts = append(ts, tt{n, v[1]})
				}
				slices.SortFunc(ts, func(a, b tt) int { return b.tok - a.tok })
				var big []string
				for _, t := range ts[:min(4, len(ts))] {
					big = append(big, fmt.Sprintf("%s %d", t.name, t.tok))
				}
				l.Why = fmt.Sprintf("the %d tool definitions (descriptions, input and output schemas) add up to %s tokens; the largest: %s tokens",
					runs[0].tools, commas(tk.Median), strings.Join(big, ", "))
			}
			lines = append(lines, l)
		}
	}
	body := fmt.Sprintf(`Each configuration: %d fresh processes (stdio, loopback upstream); the harness initializes and asks
`+"`tools/list`"+`. Bytes and tokens are of the `+"`result`"+` object exactly as sent (compact JSON): what a client puts
into the model's context. Tokens: %s. The size is deterministic, so min = max is expected. The instructions of the
initialize result, which many clients also show the model, are counted separately.

`, e.opt.runs, bench.TokenizerName)
	body += table([]string{"configuration", "command", "tools", "tools/list bytes", "tools/list tokens", "tokens per tool", "initialize instructions"}, rows)
	type tt struct {
		name    string
		by, tok int
	}
	var ts []tt
	for n, v := range allOn.perTool {
		ts = append(ts, tt{n, v[0], v[1]})
	}
	slices.SortFunc(ts, func(a, b tt) int { return b.tok - a.tok })
	var trs [][]string
	for _, t := range ts {
		trs = append(trs, []string{"`" + t.name + "`", commas(float64(t.by)), commas(float64(t.tok))})
	}
	body += "\nPer tool, all tools on (each tool object tokenized alone, so the sum differs slightly from the whole):\n\n"
	body += table([]string{"tool", "bytes", "tokens"}, trs)
	body += "\n`go test ./tools/ -run TestToolListTokenBudget` fails when this list grows past 4,500 tokens (same tokenizer).\n"
	return &section{Title: "Row 4: tools/list size", Lines: lines, Body: body}, nil
}

// ---- Row 5: list_models rows ---------------------------------------------

type listOut struct {
	raw        json.RawMessage // the whole result
	text       string          // the text content(s), decoded
	structured json.RawMessage // structuredContent as sent
	rows       int
	truncated  bool
}

func listModels(p *bench.Proc, args map[string]any) (listOut, error) {
	res, err := p.Call("tools/call", map[string]any{"name": "list_models", "arguments": args})
	if err != nil {
		return listOut{}, err
	}
	var r struct {
		IsError bool `json:"isError"`
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		Structured json.RawMessage `json:"structuredContent"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return listOut{}, err
	}
	if r.IsError {
		return listOut{}, fmt.Errorf("list_models %v: tool error: %.400s", args, res)
	}
	var texts []string
	for _, c := range r.Content {
		if c.Type == "text" {
			texts = append(texts, c.Text)
		}
	}
	var sc struct {
		Models    []json.RawMessage `json:"models"`
		Truncated bool              `json:"truncated"`
	}
	if err := json.Unmarshal(r.Structured, &sc); err != nil {
		return listOut{}, fmt.Errorf("structuredContent: %w", err)
	}
	return listOut{raw: res, text: strings.Join(texts, "\n"), structured: r.Structured, rows: len(sc.Models), truncated: sc.Truncated}, nil
}

// perRow is the marginal cost of a row: (tokens with rows − tokens of the
// same answer with no rows) / rows.
type perRow struct {
	rows                   int
	textAll, textEmpty     int
	structAll, structEmpty int
	textBytes, structBytes int
}

func (p perRow) text() float64    { return float64(p.textAll-p.textEmpty) / float64(p.rows) }
func (p perRow) struc() float64   { return float64(p.structAll-p.structEmpty) / float64(p.rows) }
func (p perRow) textAvg() float64 { return float64(p.textAll) / float64(p.rows) }

func rowListModels(e *env) (*section, error) {
	// Tokens per row on the demo data: 36 hand-written, realistic models.
	demoUp := bench.NewUpstream(bench.DemoFake())
	defer demoUp.Close()
	p, err := bench.StartStdio([]string{e.bin}, e.upstreamEnv(demoUp.URL()), 2*time.Minute)
	if err != nil {
		return nil, err
	}
	if _, err := p.Initialize(); err != nil {
		p.Close()
		return nil, err
	}
	demo := map[string]perRow{}
	var sampleCompact, sampleFull, compactText, sampleRowJSON string
	for _, detail := range []string{"compact", "full"} {
		all, err := listModels(p, map[string]any{"all": true, "detail": detail})
		if err != nil {
			p.Close()
			return nil, err
		}
		empty, err := listModels(p, map[string]any{"all": true, "detail": detail, "query": "no-such-model-zz"})
		if err != nil {
			p.Close()
			return nil, err
		}
		if empty.rows != 0 || all.rows == 0 {
			p.Close()
			return nil, fmt.Errorf("list_models on the demo data: %d rows, %d for a query matching nothing", all.rows, empty.rows)
		}
		demo[detail] = perRow{rows: all.rows, textAll: tokens(all.text), textEmpty: tokens(empty.text),
			structAll: tokens(string(all.structured)), structEmpty: tokens(string(empty.structured)),
			textBytes: len(all.text), structBytes: len(all.structured)}
		if detail == "compact" {
			sampleCompact = sampleText(all.text, 4)
			compactText = all.text
			sampleRowJSON = firstModel(all.structured)
		} else {
			sampleFull = firstModel(all.structured)
		}
	}
	getModelNote, err := getModelTokens(p)
	p.Close()
	if err != nil {
		return nil, err
	}

	// all=true over N upstream models: time and peak memory, fresh process each.
	n := e.opt.models
	fake := bench.SyntheticFake(n)
	up := bench.NewUpstream(fake)
	defer up.Close()
	type bigRun struct {
		dur                 time.Duration
		hwmBefore, hwmAfter int64
		rssAfter            int64
		bytes               int
	}
	big := map[string][]bigRun{}
	bigTok := map[string]perRow{}
	var direct []float64
	hc := upstreamClient()
	for run := range e.opt.runs {
		for _, detail := range []string{"compact", "full"} {
			p, err := bench.StartStdio([]string{e.bin}, e.upstreamEnv(up.URL()), 5*time.Minute)
			if err != nil {
				return nil, err
			}
			if _, err := p.Initialize(); err != nil {
				p.Close()
				return nil, err
			}
			time.Sleep(200 * time.Millisecond)
			st0, _ := bench.ReadProcStatus(p.Pid())
			t0 := time.Now()
			out, err := listModels(p, map[string]any{"all": true, "limit": n, "detail": detail})
			d := time.Since(t0)
			st1, _ := bench.ReadProcStatus(p.Pid())
			p.Close()
			fake.ResetRequests()
			if err != nil {
				return nil, err
			}
			if out.rows != n || out.truncated {
				return nil, fmt.Errorf("list_models all=true limit=%d detail=%s returned %d rows (truncated %v)", n, detail, out.rows, out.truncated)
			}
			big[detail] = append(big[detail], bigRun{dur: d, hwmBefore: st0.VmHWM, hwmAfter: st1.VmHWM, rssAfter: st1.VmRSS, bytes: len(out.raw)})
			if run == 0 {
				// Header cost from the demo answer with no rows (same format).
				bigTok[detail] = perRow{rows: out.rows, textAll: tokens(out.text), textEmpty: demo[detail].textEmpty,
					structAll: tokens(string(out.structured)), structEmpty: demo[detail].structEmpty,
					textBytes: len(out.text), structBytes: len(out.structured)}
			}
		}
		t0 := time.Now()
		rows, err := directPaging(hc, up.URL())
		if err != nil {
			return nil, err
		}
		direct = append(direct, ms(time.Since(t0)))
		fake.ResetRequests()
		if rows != n {
			return nil, fmt.Errorf("direct paging read %d rows, want %d", rows, n)
		}
	}
	col := func(detail string, f func(bigRun) float64) bench.Summary {
		xs := make([]float64, len(big[detail]))
		for i, r := range big[detail] {
			xs[i] = f(r)
		}
		return summarize(xs)
	}
	dur := func(r bigRun) float64 { return ms(r.dur) }
	peak := func(r bigRun) float64 { return mb(float64(r.hwmAfter)) }
	cDur, fDur, dDur := col("compact", dur), col("full", dur), summarize(direct)
	cPeak, fPeak := col("compact", peak), col("full", peak)
	cBefore := col("compact", func(r bigRun) float64 { return mb(float64(r.hwmBefore)) })

	var lines []line
	addTok := func(id, fig string, v, full float64, dataset string) {
		ok := v <= 25
		l := line{ID: id, Figure: fig, Value: fmt.Sprintf("%s tokens/row", num(v)), Baseline: fmt.Sprintf("full rows: %s tokens/row", num(full)),
			Ratio: fmt.Sprintf("%s× smaller", num(full/v)), Target: "≤ 25 tokens per row", Verdict: verdict(ok)}
		if !ok {
			l.Why = dataset
		}
		lines = append(lines, l)
	}
	dc, df := demo["compact"], demo["full"]
	bc, bf := bigTok["compact"], bigTok["full"]
	addTok("5a", fmt.Sprintf("list_models compact row, text content (the table), demo data (%d models)", dc.rows), dc.text(), df.text(),
		"a row carries 8 fields; what each costs on average in its row (tokens of the row minus tokens of the row with that field emptied), demo data: "+fieldBreakdown(compactText)+
			fmt.Sprintf(" (%s bytes of text per row); e.g. `%s`", num(float64(dc.textBytes)/float64(dc.rows)), firstRow(sampleCompact)))
	addTok("5b", fmt.Sprintf("list_models compact row, structuredContent, demo data (%d models)", dc.rows), dc.struc(), df.struc(),
		"structuredContent is JSON, so every row repeats its key names, quotes and braces: "+skeletonCost(sampleRowJSON)+
			"; the values cost about what they cost in the text table (5a)")
	addTok("5c", fmt.Sprintf("list_models compact row, text content, %s synthetic models", commas(float64(n))), bc.text(), bf.text(),
		"the synthetic rows are the demo rows with numbered ids and names (\"code-reviewer-0007\", \"Code Reviewer 8\"): a little longer than the demo rows")
	addTok("5d", fmt.Sprintf("list_models compact row, structuredContent, %s synthetic models", commas(float64(n))), bc.struc(), bf.struc(),
		"as 5b: the JSON keys and punctuation repeated in every row; and the synthetic ids and names are longer (5c)")
	lines = append(lines, line{ID: "5e", Figure: fmt.Sprintf("list_models `all: true, limit: %d` over %s upstream models, compact: time", n, commas(float64(n))),
		Value: sum(cDur, "ms"), Baseline: fmt.Sprintf("direct paging of the same %d pages: %s", (n+29)/30, sum(dDur, "ms")),
		Ratio: num(cDur.Median/dDur.Median) + "×", Target: none, Verdict: none})
	lines = append(lines, line{ID: "5f", Figure: "same call: peak resident memory of the server process (VmHWM)",
		Value: sum(cPeak, "MB"), Baseline: "full rows: " + sum(fPeak, "MB"), Ratio: num(cPeak.Median/fPeak.Median) + "× the full rows' peak",
		Target: none, Verdict: none})

	body := fmt.Sprintf(`**Tokens per row.** One process (stdio, loopback upstream with the demo data) answers ` + "`list_models {all: true}`" + `
(compact, then ` + "`detail: \"full\"`" + `) and the same call with a query that matches nothing. Tokens per row are
marginal: (tokens of the answer − tokens of the empty answer) / rows, so the header line is not spread over
the rows. The text content is counted as the model reads it (decoded string); structuredContent as sent
(compact JSON). A client may show the model either one, or both.

`)
	tr := func(name string, p perRow, detail string) []string {
		return []string{name, detail, strconv.Itoa(p.rows), commas(float64(p.textBytes)), commas(float64(p.textAll)), num(p.text()), num(p.textAvg()),
			commas(float64(p.structBytes)), commas(float64(p.structAll)), num(p.struc())}
	}
	body += table([]string{"data", "detail", "rows", "text bytes", "text tokens", "text tokens/row", "text tokens/row incl. header", "structured bytes", "structured tokens", "structured tokens/row"},
		[][]string{tr("demo", dc, "compact"), tr("demo", df, "full"), tr(commas(float64(n))+" synthetic", bc, "compact"), tr(commas(float64(n))+" synthetic", bf, "full")})
	body += "\nThe first rows of the compact text, demo data:\n\n```\n" + sampleCompact + "\n```\n"
	body += "\nOne full row (structuredContent), demo data:\n\n```json\n" + sampleFull + "\n```\n"
	body += "\n" + getModelNote + "\n"
	body += fmt.Sprintf(`
**all=true over %s models.** The upstream holds %s custom models (the demo's 36 repeated with numbered ids,
see bench.SyntheticFake). Each run starts a fresh process per detail level, initializes, waits 200 ms, then
times `+"`list_models {all: true, limit: %d}`"+` from request written to answer read (the server walks %d pages
of 30); peak memory is the server process's VmHWM from /proc/<pid>/status after the call (the process's
lifetime peak, which before the call was %s MB). The baseline GETs the same %d pages from the same fake with a
Go http.Client, decoding each page's items enough to know when to stop. The fake sorts all %s rows for every page,
so the upstream's own time dominates both figures.

`, commas(float64(n)), commas(float64(n)), n, (n+29)/30, num(cBefore.Median), (n+29)/30, commas(float64(n)))
	br := func(detail string) []string {
		return []string{detail, sum(col(detail, dur), "ms"), sum(col(detail, peak), "MB"),
			sum(col(detail, func(r bigRun) float64 { return mb(float64(r.rssAfter)) }), "MB"),
			commas(col(detail, func(r bigRun) float64 { return float64(r.bytes) }).Median)}
	}
	body += table([]string{"detail", "time", "peak RSS (VmHWM)", "RSS after", "answer bytes"},
		[][]string{br("compact"), br("full"), {"direct paging (baseline)", sum(dDur, "ms"), "—", "—", "—"}})
	body += fmt.Sprintf("\nFull rows take %s (%s× the compact time).\n", sum(fDur, "ms"), num(fDur.Median/cDur.Median))
	return &section{Title: "Row 5: list_models rows", Lines: lines, Body: body}, nil
}

// directPaging reads every page of /api/v1/models/list as list_models does.
func directPaging(hc *http.Client, base string) (int, error) {
	rows := 0
	for page := 1; ; page++ {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/models/list?order_by=created_at&direction=desc&page="+strconv.Itoa(page), nil)
		req.Header.Set("Authorization", "Bearer "+fakeowui.AdminKey)
		resp, err := hc.Do(req)
		if err != nil {
			return rows, err
		}
		var body struct {
			Items []json.RawMessage `json:"items"`
			Total int               `json:"total"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			return rows, err
		}
		rows += len(body.Items)
		if len(body.Items) < 30 || page*30 >= body.Total {
			return rows, nil
		}
	}
}

func sampleText(s string, rows int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[:min(len(lines), rows+2)], "\n")
}

func firstRow(sample string) string {
	lines := strings.Split(sample, "\n")
	if len(lines) >= 3 {
		return lines[2]
	}
	return ""
}

func firstModel(structured json.RawMessage) string {
	var sc struct {
		Models []json.RawMessage `json:"models"`
	}
	if json.Unmarshal(structured, &sc) != nil || len(sc.Models) == 0 {
		return ""
	}
	return string(sc.Models[0])
}

// fieldBreakdown gives the mean in-context cost of each column of the
// compact text table: tokens of the row minus tokens of the same row with
// that field emptied; what is left is the separators and the newline.
func fieldBreakdown(text string) string {
	lines := strings.Split(text, "\n")
	if len(lines) < 3 {
		return "n/a"
	}
	header := strings.Split(lines[1], "\t")
	sums := make([]int, len(header))
	rest, rows := 0, 0
	for _, l := range lines[2:] {
		f := strings.Split(l, "\t")
		if len(f) != len(header) {
			continue
		}
		rows++
		whole := tokens(l + "\n")
		left := whole
		for i := range f {
			g := append([]string(nil), f...)
			g[i] = ""
			d := whole - tokens(strings.Join(g, "\t")+"\n")
			sums[i] += d
			left -= d
		}
		rest += left
	}
	if rows == 0 {
		return "n/a"
	}
	parts := make([]string, 0, len(header)+1)
	for i, h := range header {
		parts = append(parts, fmt.Sprintf("%s %s", h, num(float64(sums[i])/float64(rows))))
	}
	parts = append(parts, fmt.Sprintf("the %d tab separators and the newline %s", len(header)-1, num(float64(rest)/float64(rows))))
	return strings.Join(parts, ", ")
}

// skeletonCost tokenizes one row of structuredContent with every value
// emptied: the cost of its keys and punctuation alone.
func skeletonCost(row string) string {
	var m map[string]any
	if row == "" || json.Unmarshal([]byte(row), &m) != nil {
		return "n/a"
	}
	for k, v := range m {
		switch v.(type) {
		case string:
			m[k] = ""
		case float64:
			m[k] = 0
		case bool:
			m[k] = false
		case []any:
			m[k] = []any{}
		case map[string]any:
			m[k] = map[string]any{}
		}
	}
	b, _ := json.Marshal(m)
	return fmt.Sprintf("the first demo row is %d tokens, of which %d are its %d keys and punctuation (`%s`)", tokens(row), tokens(string(b)), len(m), b)
}

// getModelTokens sizes one get_model answer (a full record), text and
// structuredContent, for comparison with the rows.
func getModelTokens(p *bench.Proc) (string, error) {
	res, err := p.Call("tools/call", map[string]any{"name": "get_model", "arguments": map[string]any{"id": bench.DemoModelID}})
	if err != nil {
		return "", err
	}
	var r struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		Structured json.RawMessage `json:"structuredContent"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return "", err
	}
	var text []string
	for _, c := range r.Content {
		if c.Type == "text" {
			text = append(text, c.Text)
		}
	}
	t := strings.Join(text, "\n")
	same := ""
	if t == string(r.Structured) {
		same = " The text is the structuredContent JSON itself, so a client that passes both to the model pays for the record twice."
	}
	return fmt.Sprintf("For comparison, one `get_model` answer (a full record, demo model `%s`): text content %s tokens (%s bytes), structuredContent %s tokens (%s bytes).%s",
		bench.DemoModelID, commas(float64(tokens(t))), commas(float64(len(t))), commas(float64(tokens(string(r.Structured)))), commas(float64(len(r.Structured))), same), nil
}
