package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium (apt-get install -y chromium) or another
// Chromium-based browser.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// pageEvents collects what the page did that the test must see: console output,
// exceptions, browser log entries (CSP violations land there), dialogs and requests.
type pageEvents struct {
	mu       sync.Mutex
	problems []string
	requests []string
}

func (e *pageEvents) add(list *[]string, s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	*list = append(*list, s)
}

func (e *pageEvents) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == "error" || ev.Type == "warning" || ev.Type == "assert" {
			args, _ := json.Marshal(ev.Args)
			e.add(&e.problems, fmt.Sprintf("console.%s %s", ev.Type, args))
		}
	case *runtime.EventExceptionThrown:
		e.add(&e.problems, "exception: "+ev.ExceptionDetails.Text)
	case *log.EventEntryAdded:
		e.add(&e.problems, fmt.Sprintf("log %s/%s: %s", ev.Entry.Source, ev.Entry.Level,
			ev.Entry.Text))
	case *page.EventJavascriptDialogOpening:
		e.add(&e.problems, "dialog opened: "+ev.Message)
	case *network.EventRequestWillBeSent:
		e.add(&e.requests, ev.Request.URL)
	}
}

func (e *pageEvents) snapshot() (problems, requests []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.problems...), append([]string(nil), e.requests...)
}

// TestHTMLInBrowser opens the hostile-name report in headless Chromium: it must
// render without console errors or CSP violations, load nothing from the network,
// run no script from the data, and its filters and search must hide and show the
// right sections. It saves a screenshot and logs its path.
func TestHTMLInBrowser(t *testing.T) {
	browser := chromiumPath()
	if browser == "" {
		t.Skip("no chromium on PATH (apt-get install -y chromium); browser test skipped")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, render(t, "html", testResults(), Options{}), 0o644); err != nil {
		t.Fatal(err)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1280, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()

	events := &pageEvents{}
	if err := chromedp.Listen(ctx, events.listen); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	go dismissDialogs(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+file)); err != nil {
		t.Fatalf("open report: %v", err)
	}
	defer reportProblems(t, events)

	// The page's own script shows the filter form; if the CSP blocked it, the form
	// stays hidden and the problems above say why.
	scripted, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`!document.getElementById("filters").hidden`))
	if err != nil {
		t.Fatal(err)
	}
	if !scripted {
		t.Fatal("the report's own script did not run (filters still hidden)")
	}

	pwned, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.pwned !== undefined`))
	if err != nil {
		t.Fatal(err)
	}
	if pwned {
		t.Error("a script from the data ran (window.pwned is set)")
	}

	checkFilters(ctx, t)
	checkPrint(ctx, t)
	saveScreenshot(ctx, t)
}

// checkPrint filters the page down, then checks that print media still shows every
// control and finding and hides the filter bar: a printed report is the whole record.
func checkPrint(ctx context.Context, t *testing.T) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name=status][value=fail]`))); err != nil {
		t.Fatal(err)
	}
	if err := emulateMedia(ctx, "print"); err != nil {
		t.Fatalf("print media: %v", err)
	}
	defer func() {
		_ = emulateMedia(ctx, "")
		_ = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name=status][value=fail]`)))
	}()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[
		Array.from(document.querySelectorAll("section.control, .finding"))
			.filter(e => getComputedStyle(e).display === "none").length,
		getComputedStyle(document.getElementById("filters")).display
	].join(" ")`))
	if err != nil {
		t.Fatal(err)
	}
	if got != "0 none" {
		t.Errorf("in print, hidden sections and filter display: %q, want \"0 none\"", got)
	}
}

// emulateMedia sets the CSS media type; "" goes back to the screen.
func emulateMedia(ctx context.Context, media string) error {
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia,
		emulation.SetEmulatedMediaParams{Media: media})
	return err
}

// reportProblems fails the test for every console error, CSP violation, dialog or
// network request the page produced.
func reportProblems(t *testing.T, events *pageEvents) {
	// Give late log entries (a blocked resource) a moment to arrive.
	time.Sleep(300 * time.Millisecond)
	problems, requests := events.snapshot()
	for _, p := range problems {
		t.Errorf("page reported: %s", p)
	}
	for _, u := range requests {
		if !strings.HasPrefix(u, "file://") {
			t.Errorf("page requested %s; the report must load nothing", u)
		}
	}
}

// dismissDialogs closes any dialog a script opens, so a failing page cannot hang
// the test; the listener has recorded the dialog as a problem.
func dismissDialogs(ctx context.Context) {
	for _, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
		if err != nil {
			return
		}
		_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog,
			page.HandleJavaScriptDialogParams{Accept: false})
	}
}

// visible lists the IDs of the control sections on show, each with how many of its
// findings are on show.
const visibleScript = `Array.from(document.querySelectorAll("section.control"))
	.filter(s => !s.hidden)
	.map(s => s.querySelector(".id").textContent + ":" +
		s.querySelectorAll(".finding:not([hidden])").length)
	.join(" ")`

func checkFilters(ctx context.Context, t *testing.T) {
	t.Helper()
	steps := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
		want   string
	}{
		{"all", nil,
			"SHARE-01:2 SCOPE-01:4 MEMBER-01:0 MOBILE-01:0 APP-01:0 ACCESS-02:1 CHANNEL-01:0"},
		{"hide pass", chromedp.Click(chromedp.CSS(`input[name=status][value=pass]`)),
			"SHARE-01:2 SCOPE-01:4 MEMBER-01:0 MOBILE-01:0 CHANNEL-01:0"},
		{"hide high", chromedp.Click(chromedp.CSS(`input[name=severity][value=high]`)),
			"SHARE-01:1 SCOPE-01:3 MEMBER-01:0 MOBILE-01:0 CHANNEL-01:0"},
		{"search", chromedp.SendKeys(chromedp.CSS(`#q`), "group.readwrite"),
			"SCOPE-01:1"},
		{"reset", chromedp.Click(chromedp.CSS(`button[type=reset]`)),
			"SHARE-01:2 SCOPE-01:4 MEMBER-01:0 MOBILE-01:0 APP-01:0 ACCESS-02:1 CHANNEL-01:0"},
	}
	for _, s := range steps {
		if s.action != nil {
			if err := chromedp.Do(ctx, s.action); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		var got string
		// The reset handler applies the filters on the next tick; poll briefly.
		for range 20 {
			v, err := chromedp.Run(ctx, chromedp.Evaluate[string](visibleScript))
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if got = v; got == s.want {
				break
			}
			time.Sleep(25 * time.Millisecond)
		}
		if got != s.want {
			t.Errorf("filter step %q: sections shown %q, want %q", s.name, got, s.want)
		}
	}
}

func saveScreenshot(ctx context.Context, t *testing.T) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir, err := os.MkdirTemp("", "teamschat-report-")
	if err != nil {
		t.Fatal(err)
	}
	top, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	for name, img := range map[string][]byte{"report.png": png, "report-top.png": top} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, img, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
}
