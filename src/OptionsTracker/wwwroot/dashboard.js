// OptionsTracker dashboard: the few things that must work without (or before) the Blazor circuit.
// Loaded before blazor.web.js, as a classic script, so it runs while the prerendered page is already on screen.
(() => {
    "use strict";
    const themeKey = "optionsTracker.theme";

    // The theme goes into a cookie so the server renders the right one at once (no dark flash before a light page);
    // localStorage keeps it too, where older versions kept it.
    window.optionsTracker = {
        setTheme(theme) {
            try { localStorage.setItem(themeKey, theme); } catch { /* storage disabled: the cookie still works */ }
            document.cookie = `${themeKey}=${theme}; path=/; max-age=31536000; samesite=lax`;
        },
    };

    const isLive = () => document.querySelector(".dash[data-live=on]") !== null;

    // ---- No dead clicks before the circuit starts --------------------------------------------------------------
    // The prerendered page looks ready about a second before its buttons answer. Links (coins, views) work anyway:
    // a plain page load. A button clicked meanwhile (a sort header, the pager, Columns) is held, shown as waiting,
    // and clicked again once the page is live; a changed select or search box is replayed the same way. The live
    // page is a fresh render, so controls are found again by a selector, not kept as elements.
    const heldClicks = [];
    const heldValues = new Map();

    const stateClasses = new Set(["active", "held", "col-sort-asc", "col-sort-desc"]);

    function selectorOf(control) {
        if (control.id)
            return `#${CSS.escape(control.id)}`;
        const th = control.closest("th");
        if (th) {
            const column = [...th.classList].find(c => c.startsWith("col-") && !c.startsWith("col-sort") && !c.startsWith("col-justify"));
            const table = th.closest("[id]");
            if (column && table)
                return `#${CSS.escape(table.id)} th.${CSS.escape(column)} button.col-title`;
        }
        const scope = control.parentElement?.closest("[id], .paginator, nav[aria-label]");
        const scopeSelector = !scope ? "" : scope.id ? `#${CSS.escape(scope.id)} `
            : scope.matches(".paginator") ? ".paginator " : `nav[aria-label="${CSS.escape(scope.getAttribute("aria-label"))}"] `;
        const data = [...control.attributes].filter(a => a.name.startsWith("data-") && !a.name.startsWith("data-live"))
            .map(a => `[${a.name}="${CSS.escape(a.value)}"]`).join("");
        const classes = [...control.classList].filter(c => !stateClasses.has(c)).map(c => `.${CSS.escape(c)}`).join("");
        const selector = `${scopeSelector}${control.localName}${classes}${data}`;
        return document.querySelectorAll(selector).length === 1 ? selector : null;
    }

    document.addEventListener("click", event => {
        if (isLive())
            return;
        const control = event.target instanceof Element ? event.target.closest(".dash button") : null;
        // A plain form (sign out) posts without the circuit.
        if (!control || control.form?.getAttribute("method")?.toLowerCase() === "post")
            return;
        event.preventDefault();
        event.stopImmediatePropagation();
        const selector = selectorOf(control);
        if (selector === null) {
            control.classList.add("refused");
            control.title = "Still connecting: click again in a moment";
            return;
        }
        if (!heldClicks.includes(selector))
            heldClicks.push(selector);
        control.classList.add("held");
        control.setAttribute("aria-busy", "true");
    }, true);

    for (const type of ["input", "change"]) {
        document.addEventListener(type, event => {
            const control = event.target;
            if (!isLive() && control instanceof HTMLElement && control.id && control.closest(".dash") && "value" in control)
                heldValues.set(control.id, control.value);
        }, true);
    }

    function replay() {
        for (const [id, value] of heldValues) {
            // Sent even when the live render kept the typed value: the server has not seen it yet. Both events, as
            // a box listens to input and a select to change.
            const control = document.getElementById(id);
            if (control) {
                control.value = value;
                control.dispatchEvent(new Event("input", { bubbles: true }));
                control.dispatchEvent(new Event("change", { bubbles: true }));
            }
        }
        heldValues.clear();
        for (const selector of heldClicks.splice(0))
            document.querySelector(selector)?.click();
    }

    const liveWatch = new MutationObserver(() => {
        if (!isLive())
            return;
        liveWatch.disconnect();
        // After the render that turned the page live, so the handlers are attached.
        requestAnimationFrame(replay);
    });
    liveWatch.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-live"] });

    // ---- Columns menu: Escape and a click outside close it ------------------------------------------------------
    const columnMenuOpen = () => document.getElementById("column-menu") !== null;
    const closeColumnMenu = () => document.getElementById("columns-toggle")?.click();

    document.addEventListener("pointerdown", event => {
        if (columnMenuOpen() && event.target instanceof Element && !event.target.closest(".column-picker"))
            closeColumnMenu();
    }, true);

    // ---- Keyboard shortcuts: 1-9 views, / search, ? this list (never while typing) -------------------------------
    function focusSearchWhenShown(deadline) {
        const search = document.getElementById("search");
        if (search) {
            search.focus();
            search.select();
        } else if (performance.now() < deadline) {
            requestAnimationFrame(() => focusSearchWhenShown(deadline));
        }
    }

    function toggleShortcuts() {
        const dialog = document.getElementById("shortcuts");
        if (!dialog)
            return;
        if (dialog.open)
            dialog.close();
        else
            dialog.showModal();
    }

    document.addEventListener("click", event => {
        if (event.target instanceof Element && event.target.closest("[data-shortcuts-close]"))
            document.getElementById("shortcuts")?.close();
    });

    document.addEventListener("keydown", event => {
        if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing)
            return;
        if (event.key === "Escape" && columnMenuOpen()) {
            event.preventDefault();
            closeColumnMenu();
            document.getElementById("columns-toggle")?.focus();
            return;
        }
        const target = event.target instanceof Element ? event.target : null;
        if (target?.closest("input, select, textarea, [contenteditable]:not([contenteditable=false])") || document.getElementById("shortcuts")?.open && event.key !== "?")
            return;
        if (event.key === "/") {
            event.preventDefault();
            if (!document.getElementById("search"))
                document.querySelector("nav.views a[data-view=table]")?.click();
            focusSearchWhenShown(performance.now() + 5000);
        } else if (event.key === "?") {
            event.preventDefault();
            toggleShortcuts();
        } else if (/^[1-9]$/.test(event.key)) {
            const view = document.querySelectorAll("nav.views a[data-view]")[Number(event.key) - 1];
            if (view) {
                event.preventDefault();
                view.click();
            }
        }
    });
})();
