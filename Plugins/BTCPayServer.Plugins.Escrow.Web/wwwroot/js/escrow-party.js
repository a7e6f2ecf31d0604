// Keeps a party page current: polls the status endpoint and reloads when something changed,
// unless the person is typing into a form (their text would be lost).
(function () {
    const page = document.getElementById('PartyPage');
    if (!page) return;
    // The agency's colour, set through the DOM: a style attribute in the page would be refused by its Content-Security-Policy.
    const branded = page.querySelector('[data-brand-color]');
    if (branded && branded.dataset.brandColor) branded.style.borderTopColor = branded.dataset.brandColor;
    // The answer to the person's own act ("Approved...") survives the page reloading itself a moment later (the escrow
    // often moves on at once, e.g. preparing the payment): kept for this tab only, for a minute, shown as text.
    const noticeKey = 'escrow-notice:' + window.location.pathname;
    const shown = document.getElementById('EscrowNotice');
    try {
        const kept = JSON.parse(sessionStorage.getItem(noticeKey) || 'null');
        sessionStorage.removeItem(noticeKey);
        if (!shown && !document.getElementById('EscrowError') && kept && Date.now() - kept.at < 60000 && typeof kept.text === 'string') {
            const notice = document.createElement('div');
            notice.className = 'alert alert-success';
            notice.setAttribute('role', 'status');
            notice.id = 'EscrowNotice';
            notice.dataset.at = String(kept.at);
            notice.textContent = kept.text;
            const anchor = document.getElementById('NextStep') || page.querySelector('header');
            if (anchor) anchor.after(notice); else page.prepend(notice);
        }
    } catch (e) { /* storage unavailable: the notice is simply not kept */ }
    const keepNotice = () => {
        const current = document.getElementById('EscrowNotice');
        try {
            if (current) sessionStorage.setItem(noticeKey, JSON.stringify({ text: current.textContent.trim(), at: Number(current.dataset.at || Date.now()) }));
        } catch (e) { /* ignore */ }
    };
    if (shown && !shown.dataset.at) shown.dataset.at = String(Date.now());
    const url = page.dataset.statusUrl;
    let version = page.dataset.version;
    // Once the person has sent a form, its answer is on its way: a reload now would cancel that navigation
    // (a click on Fund would land back on this page instead of the checkout).
    let submitting = false;
    document.addEventListener('submit', () => { submitting = true; }, true);
    const typing = () => Array.from(document.querySelectorAll('textarea, input:not([type=hidden])')).some(el => el.value && el.value !== el.defaultValue);
    async function poll() {
        if (submitting) return;
        // A tab in the background does not poll; it catches up as soon as it is shown again.
        if (document.hidden) {
            document.addEventListener('visibilitychange', poll, { once: true });
            return;
        }
        try {
            const response = await fetch(url, { headers: { 'Accept': 'application/json' }, cache: 'no-store' });
            if (response.ok) {
                const status = await response.json();
                if (String(status.version) !== String(version) && !typing() && !submitting) {
                    keepNotice();
                    window.location.reload();
                    return;
                }
            }
        } catch (e) { /* offline for a moment: try again later */ }
        setTimeout(poll, 3000);
    }
    setTimeout(poll, 3000);
})();
