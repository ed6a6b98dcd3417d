// The chain opens centred on its ATM strike, as Deribit's does: a 73-strike chain otherwise opens on deep
// in-the-money calls. Scrolls the chain's own frame only, never the page.
export function centreAtm(wrap) {
    const row = wrap?.querySelector('tbody tr.atm');
    if (!row) return false;
    const head = wrap.querySelector('thead');
    const headHeight = head ? head.offsetHeight : 0;
    wrap.scrollTop = Math.max(0, row.offsetTop - headHeight - (wrap.clientHeight - headHeight - row.offsetHeight) / 2);
    return true;
}
