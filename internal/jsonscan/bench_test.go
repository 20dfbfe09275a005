package jsonscan

import (
	"strings"
	"testing"
)

// BenchmarkValid scans an access-update answer of the demo data (mostly
// short strings), the scan owui's keptGrants.decodeFast starts with.
func BenchmarkValid(b *testing.B) {
	doc := []byte(`{"version_id":"00000000-0000-4000-9000-000000000003","id":"team/support-bot:v2","user_id":"u-admin","base_model_id":"gpt-4o","name":"Support Bot v2","params":{"system":"You are Support Bot v2. Answers customer tickets in the help-center tone.","temperature":0.3},"meta":{"profile_image_url":null,"background_image_url":null,"description":"Answers customer tickets in the help-center tone.","i18n":null,"capabilities":null,"knowledge":null,"voice":null,"voice_avatar":null,"tags":[{"name":"support"},{"name":"customer"}]},"access_grants":[{"id":"00000000-0000-4000-8000-000000000010","resource_type":"model","resource_id":"team/support-bot:v2","principal_type":"group","principal_id":"g-eng","permission":"read","created_at":1796218305},{"id":"00000000-0000-4000-8000-000000000011","resource_type":"model","resource_id":"team/support-bot:v2","principal_type":"group","principal_id":"g-bench","permission":"read","created_at":1796218305}],"is_active":true,"updated_at":1796218305,"created_at":1767229200}`)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if !Valid(doc, MaxDepth) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkValidLongStrings(b *testing.B) {
	doc := []byte(`{"system":"` + strings.Repeat("You are a helpful assistant. Answer briefly, cite sources. ", 60) + `","description":"` + strings.Repeat("déjà vu ", 100) + `"}`)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if !Valid(doc, MaxDepth) {
			b.Fatal("invalid")
		}
	}
}
