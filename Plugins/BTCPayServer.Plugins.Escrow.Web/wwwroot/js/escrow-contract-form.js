// Milestone builder: add, remove, reorder rows and show live totals with fees. The server checks everything again.
(function () {
    const form = document.getElementById('ContractForm');
    if (!form) return;
    const list = document.getElementById('Milestones');
    const template = document.getElementById('MilestoneTemplate');
    const totals = document.getElementById('MilestoneTotals');
    const field = name => form.querySelector(`[name="Form.${name}"]`);

    function renumber() {
        list.querySelectorAll('[data-milestone-row]').forEach((row, i) => {
            row.querySelector('[data-milestone-number]').textContent = i + 1;
            row.querySelectorAll('[data-field]').forEach(input => {
                input.name = `Form.Milestones[${i}].${input.dataset.field}`;
            });
        });
        updateTotals();
    }

    function decimals(currency) {
        const c = (currency || '').toUpperCase();
        if (c === 'BTC' || c === 'LBTC') return 8;
        if (['SATS', 'JPY', 'KRW', 'VND', 'CLP', 'ISK'].includes(c)) return 0;
        if (['BHD', 'KWD', 'OMR', 'JOD', 'TND'].includes(c)) return 3;
        return 2;
    }

    const isBitcoin = currency => ['BTC', 'SATS', 'LBTC'].includes(currency);

    // The server's rule: a dot before the decimals, commas or spaces only between groups of three digits.
    function number(text) {
        const t = (text || '').trim();
        const m = /^[+-]?(?:\d{1,3}(?:([, \u00A0\u202F])\d{3})(?:\1\d{3})*|\d+)(?:\.\d+)?$/.exec(t);
        if (!m) return 0;
        return parseFloat(m[1] ? t.split(m[1]).join('') : t) || 0;
    }

    function updateTotals() {
        const currency = (field('Currency').value || '').trim().toUpperCase();
        const places = decimals(currency);
        // The FX policy only means something for fiat contracts; the server ignores it for bitcoin ones.
        const fx = document.getElementById('FxPolicy');
        if (fx) fx.hidden = isBitcoin(currency);
        const percent = number(field('Fee.Percent').value);
        const fixed = number(field('Fee.Fixed').value);
        const byClient = field('Fee.ChargedTo').value === 'Client';
        let total = 0, fees = 0;
        list.querySelectorAll('[data-field="Amount"]').forEach(input => {
            const amount = number(input.value);
            if (amount <= 0) return;
            total += amount;
            fees += Math.min(amount, amount * percent / 100 + fixed);
        });
        const fmt = n => n.toFixed(places) + ' ' + currency;
        totals.textContent = byClient
            ? `Total ${fmt(total)} + fees ${fmt(fees)} = client pays ${fmt(total + fees)}`
            : `Total ${fmt(total)}; fees ${fmt(fees)}; freelancer receives ${fmt(total - fees)}`;
    }

    document.getElementById('AddMilestone').addEventListener('click', () => {
        list.insertAdjacentHTML('beforeend', template.innerHTML);
        renumber();
    });
    list.addEventListener('click', e => {
        const row = e.target.closest('[data-milestone-row]');
        if (!row) return;
        if (e.target.matches('[data-remove]') && list.children.length > 1) row.remove();
        const move = e.target.dataset.move;
        if (move === '-1' && row.previousElementSibling) row.previousElementSibling.before(row);
        if (move === '1' && row.nextElementSibling) row.nextElementSibling.after(row);
        renumber();
    });
    form.addEventListener('input', updateTotals);
    renumber();
})();
