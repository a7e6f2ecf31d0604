// Copy buttons: data-copy names the input whose value goes to the clipboard.
document.addEventListener('click', e => {
    const id = e.target.dataset && e.target.dataset.copy;
    if (!id) return;
    const input = document.getElementById(id);
    navigator.clipboard.writeText(input.value).then(() => { e.target.textContent = 'Copied'; });
});
