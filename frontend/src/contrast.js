// Measures colour contrast for the design page: an element with data-contrast-fg and
// data-contrast-bg (CSS custom property names) gets the WCAG ratio of the two as its text.

function parseColor(value) {
  const probe = document.createElement("span");
  probe.style.color = value;
  document.body.append(probe);
  const rgb = getComputedStyle(probe).color.match(/[\d.]+/g).slice(0, 3).map(Number);
  probe.remove();
  return rgb;
}

function luminance([r, g, b]) {
  const channel = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrastRatio(foreground, background) {
  const [light, dark] = [luminance(parseColor(foreground)), luminance(parseColor(background))]
    .sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}

function measure() {
  const root = getComputedStyle(document.documentElement);
  for (const element of document.querySelectorAll("[data-contrast-fg]")) {
    const fg = root.getPropertyValue(element.dataset.contrastFg).trim();
    const bg = root.getPropertyValue(element.dataset.contrastBg).trim();
    const ratio = contrastRatio(fg, bg);
    element.textContent = `${ratio.toFixed(2)}:1`;
    element.dataset.ratio = ratio.toFixed(2);
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", measure);
} else {
  measure();
}
