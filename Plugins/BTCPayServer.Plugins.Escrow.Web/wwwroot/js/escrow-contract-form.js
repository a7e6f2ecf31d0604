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

    function updateTotals() {
        const currency = (field('Currency').value || '').toUpperCase();
        const places = decimals(currency);
        const percent = parseFloat(field('Fee.Percent').value) || 0;
        const fixed = parseFloat(field('Fee.Fixed').value) || 0;
        const byClient = field('Fee.ChargedTo').value === 'Client';
        let total = 0, fees = 0;
        list.querySelectorAll('[data-field="Amount"]').forEach(input => {
            const amount = parseFloat(input.value) || 0;
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
