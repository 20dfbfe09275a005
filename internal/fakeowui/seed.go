package fakeowui

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// DemoEpoch is the created_at of the first demo row (2026-01-01T00:00:00Z);
// later rows follow at fixed offsets so demo data is the same on every run.
const DemoEpoch int64 = 1767225600

// demoAvatar is a valid 2x2 PNG, stored as a data URI profile image.
const demoAvatar = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAF0lEQVR42mIR2NnIwMDAxAAGgAAAAP//D1sBUZGBYjoAAAAASUVORK5CYII="

type demoModel struct {
	id, name, base, owner string
	tags                  []string
	desc                  string
	temp                  float64
	grants                []Grant
	inactive              bool
	image                 string
}

// engRead is the group grant shared by most demo models.
func engRead() Grant { return Grant{PrincipalType: "group", PrincipalID: "g-eng", Permission: "read"} }

// demoModels returns a fresh table each call, so no package state is shared.
func demoModels() []demoModel {
	const admin, alice = "u-admin", "u-alice"
	engRead := engRead()
	engWrite := Grant{PrincipalType: "group", PrincipalID: "g-eng", Permission: "write"}
	aliceRead := Grant{PrincipalType: "user", PrincipalID: alice, Permission: "read"}
	everyoneRdr := Grant{PrincipalType: "user", PrincipalID: "*", Permission: "read"}
	return []demoModel{
		{"team/support-bot:v2", "Support Bot v2", "gpt-4o", admin, []string{"support", "customer"}, "Answers customer tickets in the help-center tone.", 0.3, []Grant{engRead, engWrite}, false, ""},
		{"code-reviewer", "Code Reviewer", "gpt-4o", admin, []string{"engineering", "code"}, "Reviews diffs and points out bugs, risks and missing tests.", 0.2, []Grant{aliceRead}, false, ""},
		{"release notes v1.2", "Release Notes v1.2", "gpt-4o-mini", admin, []string{"writing", "engineering"}, "Turns merged pull requests into user-facing release notes.", 0.5, []Grant{everyoneRdr}, false, ""},
		{"meeting-summarizer", "Meeting Summarizer", "gpt-4o", admin, []string{"productivity"}, "Summarizes meeting transcripts into decisions and action items.", 0.4, []Grant{engRead}, false, demoAvatar},
		{"translator-fr", "French Translator", "gpt-4o-mini", admin, []string{"language"}, "Translates between English and French, keeping formatting.", 0.2, nil, false, "https://example.com/avatars/translator-fr.png"},
		{"legacy-faq-bot", "Legacy FAQ Bot", "gpt-4o-mini", admin, []string{"support", "legacy"}, "Old FAQ assistant, kept disabled for reference.", 0.7, nil, true, ""},
		{"sql-helper", "SQL Helper", "llama3.1:8b", alice, []string{"engineering", "data"}, "Writes and explains PostgreSQL queries.", 0.1, nil, false, ""},
		{"alice/notes:draft", "Alice's Draft Notes", "llama3.1:8b", alice, []string{"personal"}, "Private scratchpad assistant.", 0.8, nil, false, ""},
		{"incident-commander", "Incident Commander", "gpt-4o", admin, []string{"engineering", "ops"}, "Guides on-call engineers through incident response.", 0.3, []Grant{engWrite}, false, ""},
		{"k8s-troubleshooter", "Kubernetes Troubleshooter", "mistral/mistral-small:24b", admin, []string{"ops", "engineering"}, "Diagnoses failing pods from kubectl output.", 0.2, nil, false, ""},
		{"marketing-copywriter", "Marketing Copywriter", "gpt-4o", admin, []string{"marketing", "writing"}, "Drafts campaign copy in the brand voice.", 0.9, nil, false, ""},
		{"legal-clause-checker", "Legal Clause Checker", "gpt-4o", admin, []string{"legal"}, "Flags unusual clauses in contracts; not legal advice.", 0.1, nil, false, ""},
		{"hr-policy-assistant", "HR Policy Assistant", "gpt-4o-mini", admin, []string{"hr"}, "Answers questions about the employee handbook.", 0.3, nil, false, ""},
		{"onboarding-buddy", "Onboarding Buddy", "gpt-4o-mini", admin, []string{"hr", "productivity"}, "Helps new hires find tools, people and docs.", 0.6, []Grant{engRead}, false, ""},
		{"data/sql-explainer:v1", "SQL Explainer", "llama3.1:8b", alice, []string{"data"}, "Explains query plans in plain words.", 0.2, nil, false, ""},
		{"regex-wizard", "Regex Wizard", "llama3.1:8b", alice, []string{"engineering"}, "Builds and explains regular expressions.", 0.1, nil, false, ""},
		{"email-polisher", "Email Polisher", "gpt-4o-mini", admin, []string{"writing"}, "Rewrites emails to be clear and polite.", 0.5, nil, false, ""},
		{"sales-call-prep", "Sales Call Prep", "gpt-4o", admin, []string{"sales"}, "Prepares account briefs before customer calls.", 0.5, nil, false, ""},
		{"research-assistant", "Research Assistant", "gpt-4o", admin, []string{"research"}, "Finds, compares and cites sources.", 0.4, nil, false, ""},
		{"changelog-bot", "Changelog Bot", "gpt-4o-mini", admin, []string{"engineering", "writing"}, "Keeps CHANGELOG.md in Keep a Changelog format.", 0.2, nil, false, ""},
		{"security-reviewer", "Security Reviewer", "gpt-4o", admin, []string{"security", "engineering"}, "Looks for injection, authz and secret-handling flaws.", 0.1, []Grant{engRead}, false, ""},
		{"python-tutor", "Python Tutor", "llama3.1:8b", admin, []string{"education", "code"}, "Teaches Python step by step with exercises.", 0.6, nil, false, ""},
		{"go-gopher", "Go Gopher", "mistral/mistral-small:24b", admin, []string{"code", "engineering"}, "Answers Go questions with idiomatic examples.", 0.3, nil, false, ""},
		{"shell-explainer", "Shell Explainer", "mistral/mistral-small:24b", alice, []string{"engineering"}, "Explains shell one-liners flag by flag.", 0.2, nil, false, ""},
		{"product-spec-writer", "Product Spec Writer", "gpt-4o", admin, []string{"product", "writing"}, "Turns feature ideas into structured specs.", 0.6, nil, false, ""},
		{"ux-copy-reviewer", "UX Copy Reviewer", "gpt-4o-mini", admin, []string{"product", "design"}, "Reviews interface text for clarity and tone.", 0.4, nil, false, ""},
		{"customer-sentiment", "Customer Sentiment", "gpt-4o-mini", admin, []string{"support", "data"}, "Classifies ticket sentiment and urgency.", 0.0, nil, false, ""},
		{"finance-analyst", "Finance Analyst", "gpt-4o", admin, []string{"finance", "data"}, "Explains budget variances from spreadsheets.", 0.2, nil, false, ""},
		{"travel-planner", "Travel Planner", "gpt-4o-mini", admin, []string{"personal"}, "Plans trips within a budget.", 0.8, nil, false, ""},
		{"recipe-helper", "Recipe Helper", "llama3.1:8b", admin, []string{"personal"}, "Suggests recipes from what is in the fridge.", 0.9, nil, false, ""},
		{"interview-coach", "Interview Coach", "gpt-4o", admin, []string{"hr"}, "Runs mock interviews and gives feedback.", 0.7, nil, false, ""},
		{"api-doc-writer", "API Doc Writer", "gpt-4o", admin, []string{"engineering", "writing"}, "Writes reference docs from OpenAPI specs.", 0.3, nil, false, ""},
		{"test-case-generator", "Test Case Generator", "mistral/mistral-small:24b", admin, []string{"engineering", "code"}, "Proposes table-driven test cases for a function.", 0.3, nil, false, ""},
		{"summarize-pdf", "PDF Summarizer", "gpt-4o-mini", admin, []string{"productivity"}, "Summarizes long documents section by section.", 0.3, nil, false, ""},
		{"brainstorm-partner", "Brainstorm Partner", "gpt-4o", admin, []string{"product"}, "Generates many ideas, then helps pick the best.", 1.0, nil, false, ""},
		{"ops/on-call-helper:v3", "On-call Helper v3", "gpt-4o", admin, []string{"ops"}, "Links alerts to runbooks and recent deploys.", 0.2, nil, false, ""},
	}
}

// SeedDemo fills s with a realistic, deterministic data set: four provider
// models, DB base-model rows for two of them, and 36 custom models (more
// than one /list page) owned by u-admin and u-alice, with tags, prompts,
// group/user/public grants, both kinds of profile image, one disabled
// model, and ids containing "/", ":" and ".".
//
// "release notes v1.2" stands for a row stored by a release before 0.12,
// whose id has a space: 0.12.4 still lists, reads, toggles and deletes it,
// but answers 422 to update, access/update and create of such an id (and
// import skips it). A demo walk (list → get → update → delete → restore)
// should use any other model.
//
// Every row starts with one history entry, as the 0.12 migration gives
// existing rows. The provider maps start empty (see
// Behaviour.ProviderMapsFilledAtStart) until a listing fills them.
func SeedDemo(s *Server) {
	for _, p := range []provider{
		{id: "gpt-4o", ownedBy: "openai"},
		{id: "gpt-4o-mini", ownedBy: "openai"},
		{id: "llama3.1:8b", ownedBy: "ollama", canUnload: true},
		{id: "mistral/mistral-small:24b", ownedBy: "openai", canUnload: true}, // a llama.cpp connection
	} {
		p.created = DemoEpoch
		s.addProvider(p)
	}

	s.PutModel(Model{
		ID: "gpt-4o", UserID: "u-admin", Name: "GPT-4o", IsActive: true,
		Meta: map[string]any{
			"description":  "OpenAI's flagship multimodal model.",
			"tags":         []map[string]string{{"name": "openai"}, {"name": "general"}},
			"capabilities": map[string]bool{"vision": true, "web_search": true, "citations": true},
		},
		Params:       map[string]any{},
		AccessGrants: []Grant{engRead()},
		CreatedAt:    DemoEpoch, UpdatedAt: DemoEpoch,
	})
	s.PutModel(Model{
		ID: "llama3.1:8b", UserID: "u-admin", Name: "Llama 3.1 8B (local)", IsActive: true,
		Meta: map[string]any{
			"description": "Runs on the team's Ollama box; no data leaves the network.",
			"tags":        []map[string]string{{"name": "local"}, {"name": "meta"}},
		},
		Params:    map[string]any{"num_ctx": 8192},
		CreatedAt: DemoEpoch + 60, UpdatedAt: DemoEpoch + 60,
	})

	for i, d := range demoModels() {
		tags := make([]map[string]string, len(d.tags))
		for j, t := range d.tags {
			tags[j] = map[string]string{"name": t}
		}
		meta := map[string]any{"description": d.desc, "tags": tags}
		if d.image != "" {
			meta["profile_image_url"] = d.image
		}
		base := d.base
		created := DemoEpoch + 3600 + int64(i)*86400
		s.PutModel(Model{
			ID: d.id, UserID: d.owner, BaseModelID: &base, Name: d.name,
			Meta: meta,
			Params: map[string]any{
				"system":      "You are " + d.name + ". " + d.desc,
				"temperature": d.temp,
			},
			AccessGrants: d.grants,
			IsActive:     !d.inactive,
			CreatedAt:    created,
			UpdatedAt:    created + int64(i%4)*3600,
		})
	}
	seedDemoHistory(s)
}

// DemoHistoryModel is the demo model with a few versions (the others have
// one each): three, by Admin, the newest the current record.
const DemoHistoryModel = "ops/on-call-helper:v3"

// seedDemoHistory rewrites DemoHistoryModel's history as three edits, the
// last of which is the seeded record, so rollback and diff have something
// to show.
func seedDemoHistory(s *Server) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rows[DemoHistoryModel]
	if !ok {
		return
	}
	final := struct {
		name         string
		meta, params map[string]any
	}{r.name, cloneMap(r.meta), cloneMap(r.params)}
	steps := []struct {
		name, desc, system, commit string
		temp                       float64
	}{
		{"On-call Helper", "Links alerts to runbooks.", "You are On-call Helper. Links alerts to runbooks.", "Initial version", 0.5},
		{"On-call Helper v2", "Links alerts to runbooks and recent deploys.", "You are On-call Helper v2. Links alerts to runbooks and recent deploys.", "Mention recent deploys; lower temperature", 0.3},
	}
	r.history, r.versionID = nil, ""
	for i, st := range steps {
		r.name = st.name
		r.meta = cloneMap(final.meta)
		r.meta["description"] = st.desc
		r.params = map[string]any{"system": st.system, "temperature": st.temp}
		commit := st.commit
		s.addVersion(r, r.userID, &commit, r.createdAt+int64(i)*3600)
	}
	r.name, r.meta, r.params = final.name, final.meta, final.params
	commit := "Rename to v3; temperature 0.2"
	s.addVersion(r, r.userID, &commit, r.updatedAt)
}

// SeedRepeatedDemo adds n custom models for benchmarks of many records:
// the demo's custom models repeated with numbered ids ("-0000", "-0001"…,
// spaces replaced, as 0.12.4 refuses ids with spaces) and names, created
// ten minutes apart, each with one more tag. The demo's own rows are not
// added.
func SeedRepeatedDemo(s *Server, n int, tag string) {
	demo := New(Options{})
	SeedDemo(demo)
	var custom []Model
	for _, m := range demo.Models() {
		if m.BaseModelID != nil {
			custom = append(custom, m)
		}
	}
	for i := range n {
		m := custom[i%len(custom)]
		k := i / len(custom)
		m.ID = strings.ReplaceAll(fmt.Sprintf("%s-%04d", m.ID, k), " ", "-")
		m.Name = fmt.Sprintf("%s %d", m.Name, k+1)
		m.CreatedAt = DemoEpoch + int64(i)*600
		m.UpdatedAt = m.CreatedAt + int64(i%4)*3600
		meta := maps.Clone(m.Meta) // shared by the copies of one demo model
		tags, _ := meta["tags"].([]any)
		meta["tags"] = append(slices.Clone(tags), map[string]any{"name": tag})
		m.Meta = meta
		s.PutModel(m)
	}
}
