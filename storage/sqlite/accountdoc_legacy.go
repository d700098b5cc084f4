package sqlite

import (
	"encoding/json"
	"fmt"

	"creditbank/domain"
	"creditbank/storage/record"
)

// What earlier versions wrote and every later one must still read. Nothing
// here is written any more except by tests, which write the earlier formats
// to show they still read.
//
// The first documents were JSON (record.AccountDoc, the shape the Mongo
// store keeps); they are rewritten in the current binary format at their
// next save.
//
// Format 1 was the first binary layout: the one accountdoc.go describes,
// with every number as 8 bytes, every time as seconds and nanoseconds,
// every ID and string written out each time, and a ledger entry's links
// (ledgerLinksV1) written in full.
//
// Format 2 has the layout of format 1 with smaller values, because a
// document that outgrows a page (4 096 bytes with its row) spills onto an
// overflow page that every save writes again: at ten outcomes a format 1
// account was ≈ 3.1 kB, at twelve it overflowed. Format 2 stores numbers
// that are whole thousandths (credits, hours, scores) as varints, dates and
// millisecond times as varints of days and milliseconds, an ID or a
// recurring string (issuer, category, status, who issued) seen earlier in
// the same document as its index, a ledger entry's previous hash as a mark
// when it is the hash of the entry before, and a ledger entry's outcome or
// conversion as a mark when it is the next one of the account's in order.
// A learner's ten outcomes take ≈ 1.9 kB instead of ≈ 3.6 kB.
//
// Format 3 is format 2 followed by the account's session generation (a
// varint). Documents of formats 1 and 2 were written before accounts had
// one and read as generation 0.

// decodeAccountJSON reads a document of the versions before the binary form.
func decodeAccountJSON(raw string) (*domain.Account, error) {
	var d record.AccountDoc
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return nil, fmt.Errorf("sqlite: decode account: %w", err)
	}
	return d.ToDomain()
}

// ledgerLinksV1 writes a ledger entry's outcome, conversion and hashes as
// format 1 did: in full, with nothing abbreviated against the entry before.
func (w *docWriter) ledgerLinksV1(e *domain.LedgerEntry) {
	w.optID(e.OutcomeID)
	w.optID(e.ConversionID)
	w.hexStr(e.PrevHash)
	w.hexStr(e.Hash)
}

// ledgerLinksV1 reads what docWriter.ledgerLinksV1 wrote.
func (r *docReader) ledgerLinksV1(e *domain.LedgerEntry) {
	e.OutcomeID, e.ConversionID = r.optID(), r.optID()
	e.PrevHash, e.Hash = r.hexStr(), r.hexStr()
}
