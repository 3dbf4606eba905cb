// Package faketenant serves a snapshot back as the Microsoft Graph and Dataverse Web API
// endpoints that the collector reads (docs: /work/notes/wire.md, routes G1..G8 and
// D1..D7), in their real wire format, so collection can be tested and benchmarked
// without a tenant. Collecting from it reproduces the snapshot it serves: it is the
// inverse of collection.
//
// Graph is served under /graph/v1.0 and Dataverse under /dataverse/api/data/v9.2. Links
// are absolute and built from the request's Host. Any Authorization header, or none, is
// accepted and never looked at. Requests the collector would not make are answered with
// the real error bodies (400/404/405), so drift between the two shows up in tests.
//
// Every request is counted by route kind and status (Server.Stats, GET /_fake/stats).
//
// Graph JSON batching is served too: POST /graph/v1.0/$batch (route GB) with up to 20
// GETs. Each item is routed, faulted and counted under its own route as a batched
// request, and Stats.Total counts the batch as the one HTTP request it is. A drop,
// truncate or slow fault that hits an item acts on the whole batch answer, since one
// item of a shared answer cannot lose its connection; route=GB faults the batch itself.
//
// # Faults
//
// Faults are injected per route kind and are deterministic given a seed: whether a
// request is hit depends on a hash of the seed, the fault's position and the request's
// method and URL, never on arrival order. A fault is written as comma-separated
// key=value pairs, the syntax of the --fault flag of fake-tenant:
//
//	route=D6,kind=429,retry-after=1,every=7
//
// Keys:
//
//	route        G1..G8, D1..D7, graph, dataverse or all (default all)
//	kind         429, 502, 503, 504, drop, 403, repeat-link, empty-page, truncate,
//	             slow, concurrency (required)
//	every        hit about one request in N (default 1: every request)
//	times        how often one URL is hit before it is answered normally
//	             (default 1); only for 429, 5xx, drop, slow and empty-page
//	retry-after  the Retry-After header, sent verbatim ("1", "0.5"); absent unless set
//	delay        how long slow waits before answering (default 1s)
//	limit        concurrency: Dataverse requests allowed in flight (default 52)
//	code         the error code in the body (default depends on kind and API)
//
// Kinds:
//
//	429          throttled; Dataverse code 0x80072322 unless code is set
//	502 503 504  a server error with an error body
//	drop         the connection is closed in the middle of the response
//	403          access denied, on every matching request
//	repeat-link  the page's nextLink is the URL that fetched it, on every matching page
//	empty-page   an empty page whose nextLink leads on to the rows it held back
//	truncate     the JSON body is cut in half, on every matching request
//	slow         the answer waits delay first (set it past a client timeout to test one)
//	concurrency  429 with code 0x80072326 while more than limit requests are in flight
//
// 429, 5xx, drop and slow hit one URL at most times times, so a client that retries
// succeeds; 403, repeat-link and truncate persist, because a client must give up on them.
package faketenant
