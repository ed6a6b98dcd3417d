// The strategy builder's exports: the evaluation the page already shows, saved as a file by the browser (no second
// evaluation on the server, and the file holds exactly the figures on screen).
export function download(name, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
