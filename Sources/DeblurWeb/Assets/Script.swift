extension PageAssets {
    static let appJS = #"""
"use strict";
const $ = (id) => document.getElementById(id);
const state = { limits: null, input: null, inputURL: null, result: null, resultURL: null, busy: false };
const selftest = new URLSearchParams(location.search).has("selftest");

function showMessage(text) {
  const m = $("message");
  m.textContent = text;
  m.hidden = !text;
}

function setProgress(text, fraction) {
  $("progress").hidden = text === null;
  if (text === null) return;
  $("progress-text").textContent = text;
  const bar = $("bar");
  if (fraction === null) bar.removeAttribute("value"); else bar.value = Math.round(fraction * 100);
}

function megabytes(bytes) {
  if (bytes < 1024 * 1024) return Math.max(1, Math.round(bytes / 1024)) + " KB";
  return (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0) + " MB";
}

async function loadStatus() {
  try {
    const r = await fetch("/api/status");
    if (!r.ok) throw new Error("status " + r.status);
    state.limits = await r.json();
    $("method").textContent = "Method: " + state.limits.method + ".";
    $("limits").textContent = "Up to " + megabytes(state.limits.maxUploadBytes) + " and " +
      (state.limits.maxPixels / 1e6).toFixed(1) + " megapixels.";
  } catch (e) {
    showMessage("Could not reach the deblur server (" + e.message + "). Is `deblur-video serve` still running?");
  }
}

// Reads the server's JSON error ({"error": "..."}) from a failed response body.
async function errorText(status, body, retryAfter, what = "image") {
  let text = "";
  try { text = JSON.parse(await body.text()).error || ""; } catch (_) { /* not JSON */ }
  const prefix = { 400: "Bad request", 408: "Upload timed out", 413: "Too large", 415: "Not a supported " + what,
                   422: "Could not process the " + what, 503: "Server busy", 500: "Server error" }[status] || ("HTTP " + status);
  let msg = prefix + (text ? ": " + text : "");
  if (status === 503 && retryAfter && !/try again/.test(text)) msg += " (retry in " + retryAfter + " s)";
  return msg;
}

const connectionLost = "The connection to the server failed. Is it still running?";

// POSTs a body with upload progress; resolves with the response Blob, rejects with a readable message.
function post(url, body, onUploadProgress, what = "image") {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.responseType = "blob";
    xhr.timeout = 10 * 60 * 1000;
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onUploadProgress) onUploadProgress(e.loaded / e.total); };
    xhr.upload.onload = () => { if (onUploadProgress) onUploadProgress(1); };
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        xhr.response.processingSeconds = xhr.getResponseHeader("X-Processing-Seconds");
        resolve(xhr.response);
      }
      else reject(new Error(await errorText(xhr.status, xhr.response, xhr.getResponseHeader("Retry-After"), what)));
    };
    xhr.onerror = () => reject(new Error(connectionLost));
    xhr.ontimeout = () => reject(new Error("The server took too long to answer."));
    xhr.send(body);
  });
}

function isImage(file) { return file.type === "" || file.type === "image/png" || file.type === "image/jpeg"; }

async function handleFile(file) {
  if (state.busy) { showMessage("Please wait for the current upload to finish."); return false; }
  showMessage("");
  if (!file) return false;
  // Scoring against a sharp original is for pictures; a video job has no such step, so its picker goes away.
  $("reference-row").hidden = file.type.startsWith("video/");
  if (file.type.startsWith("video/")) return handleVideo(file);
  if (!isImage(file)) {
    showMessage("“" + file.name + "” does not look like a PNG or JPEG image (" + (file.type || "unknown type") + ").");
    return false;
  }
  if (state.limits && file.size > state.limits.maxUploadBytes) {
    showMessage("“" + file.name + "” is " + megabytes(file.size) + "; the limit is " +
      megabytes(state.limits.maxUploadBytes) + ".");
    return false;
  }
  state.busy = true;
  // The previous result goes away at once: left on screen under a new upload's error, it would be taken (and
  // scored) for this file's.
  state.input = file;
  state.result = null;
  if (state.inputURL) URL.revokeObjectURL(state.inputURL);
  state.inputURL = URL.createObjectURL(file);
  $("metrics").hidden = true;
  $("result").hidden = true;
  $("video-result").hidden = true;
  const started = performance.now();
  try {
    setProgress("Uploading…", 0);
    const blob = await post("/api/deblur", file, (f) => {
      if (f < 1) setProgress("Uploading… " + Math.round(f * 100) + "%", f);
      else setProgress("Deblurring…", null);
    });
    state.result = blob;
    if (state.resultURL) URL.revokeObjectURL(state.resultURL);
    state.resultURL = URL.createObjectURL(blob);
    await showResult();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const took = blob.processingSeconds ? "processed in " + Number(blob.processingSeconds).toFixed(2) + " s"
                                        : "done in " + seconds + " s";
    $("stats").textContent = $("after").naturalWidth + "×" + $("after").naturalHeight + " pixels, " + took +
      " (" + megabytes(blob.size) + " PNG).";
    setProgress(null);
    showMessage("");  // e.g. a "please wait" said while this ran
    if ($("reference").files[0]) await score();
    return true;
  } catch (e) {
    setProgress(null);
    showMessage(e.message);
    return false;
  } finally {
    state.busy = false;
  }
}

// Videos go through a job: upload, then poll its progress, then play input and result side by side.
async function handleVideo(file) {
  if (state.limits && file.size > state.limits.maxUploadBytes) {
    showMessage("“" + file.name + "” is " + megabytes(file.size) + "; the limit is " +
      megabytes(state.limits.maxUploadBytes) + ".");
    return false;
  }
  state.busy = true;
  $("result").hidden = true;
  $("video-result").hidden = true;
  const started = performance.now();
  try {
    setProgress("Uploading…", 0);
    const reply = await post("/api/jobs", file, (f) => {
      if (f < 1) setProgress("Uploading… " + Math.round(f * 100) + "%", f);
      else setProgress("Checking the video…", null);
    }, "video");
    let job = JSON.parse(await reply.text());
    for (let i = 0; i < 3600 && job.state !== "done"; i++) {  // at most ~2 h of 2 s long polls
      if (job.state === "failed") throw new Error("The video could not be processed: " + (job.error || "unknown error"));
      const total = job.framesTotal ? " of " + job.framesTotal : "";
      setProgress(job.state === "queued" ? "Waiting for a free worker…" : "Deblurring frame " + job.framesDone + total + "…",
                  job.progress === undefined || job.progress === null ? null : job.progress);
      let r;
      try { r = await fetch("/api/jobs/" + job.id + "?wait=2"); }  // long poll: answers when the job changes
      catch (_) { throw new Error(connectionLost); }
      if (!r.ok) throw new Error(await errorText(r.status, await r.blob(), r.headers.get("Retry-After"), "video"));
      job = await r.json();
    }
    if (job.state !== "done") throw new Error("The video job did not finish in time.");
    if (state.inputURL) URL.revokeObjectURL(state.inputURL);
    state.inputURL = URL.createObjectURL(file);
    $("video-before").src = state.inputURL;
    $("video-after").src = job.resultURL;
    $("video-download").href = job.resultURL;
    $("video-download").download = file.name.replace(/\.[^.]*$/, "") + "-deblurred.mp4";
    $("video-result").hidden = false;
    $("play-both").textContent = "Play";
    $("video-seek").value = 0;
    setVideoSplit(50);
    $("video-stats").textContent = job.framesDone + " frames, done in " +
      ((performance.now() - started) / 1000).toFixed(1) + " s.";
    setProgress(null);
    showMessage("");
    return true;
  } catch (e) {
    setProgress(null);
    showMessage(e.message);
    return false;
  } finally {
    state.busy = false;
  }
}

function loadImage(img, url) {
  return new Promise((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error("The browser could not display the image."));
    img.src = url;
  });
}

async function showResult() {
  $("video-result").hidden = true;
  $("result").hidden = false;
  await Promise.all([loadImage($("before"), state.inputURL), loadImage($("after"), state.resultURL)]);
  const base = (state.input && state.input.name) ? state.input.name.replace(/\.[^.]*$/, "") : "image";
  $("download").href = state.resultURL;
  $("download").download = base + "-deblurred.png";
  $("zoom").value = 1;
  layout();
  setSplit(50);
}

// Fits the image to the viewport at zoom 1; larger zooms enlarge the stage and the viewport scrolls.
function layout() {
  const img = $("before");
  if (!img.naturalWidth) return;
  const zoom = Number($("zoom").value);
  const vp = $("viewport");
  const fit = Math.min(vp.clientWidth, window.innerHeight * 0.55 * img.naturalWidth / img.naturalHeight);
  const stage = $("stage");
  stage.style.width = Math.round(fit * zoom) + "px";
  stage.classList.toggle("pixelated", fit * zoom >= 2 * img.naturalWidth);
  // The slider scales the fitted picture; what a user judges sharpness by is image pixels per screen pixel.
  const actual = Math.round(100 * fit * zoom / img.naturalWidth);
  $("zoom-value").textContent = zoom + "× (" + actual + " % of full size)";
}

// Zooms keeping the divider (and the middle of the visible rows) in the middle of the viewport, so both sides stay
// in view; a plain re-layout would keep the top-left corner, the input's side only.
function zoomAboutDivider() {
  const vp = $("viewport"), stage = $("stage");
  const old = stage.getBoundingClientRect();
  const fy = old.height ? (vp.scrollTop + vp.clientHeight / 2) / old.height : 0.5;
  layout();
  const now = stage.getBoundingClientRect();
  vp.scrollLeft = Number($("split").value) / 100 * now.width - vp.clientWidth / 2;
  vp.scrollTop = fy * now.height - vp.clientHeight / 2;
}

// A before/after stage: the layer `clip` is cut at the divider, which the range input and a drag on the stage
// move; `keep` is the side of it that stays visible. Returns the function that sets the divider (percent from
// the left).
function splitView(stage, range, clip, divider, keep) {
  const set = (percent) => {
    const p = Math.max(0, Math.min(100, percent));
    range.value = p;
    clip.style.clipPath = keep === "left" ? "inset(0 " + (100 - p) + "% 0 0)" : "inset(0 0 0 " + p + "%)";
    divider.style.left = p + "%";
  };
  range.addEventListener("input", (e) => set(Number(e.target.value)));
  const follow = (e) => {
    const r = stage.getBoundingClientRect();
    set((e.clientX - r.left) / r.width * 100);
  };
  // A finger's drag scrolls (the page, or the zoomed picture); a tap moves the divider, as the slider does.
  let tap = null;
  stage.addEventListener("pointerdown", (e) => {
    if (e.pointerType === "touch") { tap = { x: e.clientX, y: e.clientY }; return; }
    stage.setPointerCapture(e.pointerId);
    follow(e);
  });
  stage.addEventListener("pointermove", (e) => { if (stage.hasPointerCapture(e.pointerId)) follow(e); });
  stage.addEventListener("pointerup", (e) => {
    if (e.pointerType === "touch" && tap && Math.hypot(e.clientX - tap.x, e.clientY - tap.y) < 10) follow(e);
    tap = null;
  });
  stage.addEventListener("pointercancel", () => { tap = null; });  // the browser took the touch for a scroll
  return set;
}
const setSplit = splitView($("stage"), $("split"), $("after-clip"), $("divider"), "right");
// The result lies underneath and sets the stage's size, so the stage keeps its shape when the input cannot play.
const setVideoSplit = splitView($("video-stage"), $("video-split"), $("video-before-clip"), $("video-divider"), "left");

// The two videos play as one: the result is the clock, the input follows it (both have the same frames).
function wireVideos() {
  const a = $("video-before"), b = $("video-after"), button = $("play-both"), seek = $("video-seek");
  const follow = () => { if (Math.abs(a.currentTime - b.currentTime) > 0.08) a.currentTime = b.currentTime; };
  button.addEventListener("click", () => {
    if (b.paused) { follow(); b.play(); a.play().catch(() => {}); } else { b.pause(); a.pause(); }
  });
  b.addEventListener("play", () => { button.textContent = "Pause"; });
  b.addEventListener("pause", () => { button.textContent = "Play"; a.pause(); follow(); });
  b.addEventListener("timeupdate", () => { if (b.duration) seek.value = Math.round(b.currentTime / b.duration * 1000); });
  b.addEventListener("seeked", follow);
  seek.addEventListener("input", () => { if (b.duration) b.currentTime = seek.value / 1000 * b.duration; });
  b.addEventListener("loadedmetadata", () => {  // fit the viewport as images do, never wider than 2× the video
    const fit = Math.min($("video-stage").parentElement.clientWidth, 2 * b.videoWidth,
                         window.innerHeight * 0.55 * b.videoWidth / b.videoHeight);
    $("video-stage").style.width = Math.round(fit) + "px";
  });
  // Browsers play few containers (no AVI, for one): then only the result is shown, across the whole stage.
  a.addEventListener("error", () => {
    setVideoSplit(0);
    $("video-stats").textContent += " The browser cannot play the input's format, so only the result is shown.";
  });
}

async function score() {
  const reference = $("reference").files[0];
  if (!reference || !state.result) return;
  try {
    setProgress("Scoring against the reference…", null);
    const rows = [["input", state.input], ["result", state.result]];
    for (const [key, image] of rows) {
      const form = new FormData();
      form.append("image", image, "image");
      form.append("reference", reference, "reference");
      const s = JSON.parse(await (await post("/api/compare", form)).text());
      $("psnr-" + key).textContent = s.psnr === null || s.psnr === undefined ? "∞ (identical)" : s.psnr.toFixed(2);
      $("ssim-" + key).textContent = s.ssim.toFixed(4);
    }
    $("metrics").hidden = false;
  } catch (e) {
    showMessage("Scoring failed: " + e.message);
  } finally {
    setProgress(null);
  }
}

function wire() {
  const drop = $("drop");
  $("file").addEventListener("change", (e) => handleFile(e.target.files[0]));
  $("reference").addEventListener("change", () => score());
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("file").click(); }  // Space must not scroll too
  });
  for (const t of [document.body, drop]) {
    t.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    t.addEventListener("dragleave", () => drop.classList.remove("over"));
    t.addEventListener("drop", (e) => {
      e.preventDefault();
      e.stopPropagation();
      drop.classList.remove("over");
      const files = e.dataTransfer && e.dataTransfer.files;
      if (!files || files.length === 0) { showMessage("Nothing usable was dropped: drop an image file."); return; }
      handleFile(files[0]);
    });
  }
  wireVideos();
  $("zoom").addEventListener("input", zoomAboutDivider);
  window.addEventListener("resize", layout);
}

// `/?selftest=1`: uploads the server's sample picture and its sharp original through the same code a user
// triggers, then reports in #selftest-status (read by scripts/browser-test.sh from the dumped DOM).
async function runSelftest() {
  const out = $("selftest-status");
  out.hidden = false;
  out.textContent = "selftest: running";
  try {
    const [blurry, sharp] = await Promise.all(["/selftest/sample.png", "/selftest/reference.png"].map(async (u) => {
      const r = await fetch(u);
      if (!r.ok) throw new Error(u + " answered " + r.status);
      return new File([await r.blob()], u.split("/").pop(), { type: "image/png" });
    }));
    const dt = new DataTransfer();
    dt.items.add(sharp);
    $("reference").files = dt.files;
    if (!(await handleFile(blurry))) throw new Error($("message").textContent || "upload failed");
    const before = $("before"), after = $("after");
    if (!after.naturalWidth || after.naturalWidth !== before.naturalWidth || after.naturalHeight !== before.naturalHeight)
      throw new Error("result size " + after.naturalWidth + "x" + after.naturalHeight + " differs from input");
    if ($("metrics").hidden) throw new Error("no scores shown");
    if ($("reference-row").hidden) throw new Error("the reference picker is hidden for a picture");
    const stage = $("stage"), width1 = stage.getBoundingClientRect().width;
    setSplit(60);
    $("zoom").value = 4;
    zoomAboutDivider();
    const width4 = stage.getBoundingClientRect().width;
    if (Math.abs(width4 / width1 - 4) > 0.05) throw new Error("zoom 4× gave " + (width4 / width1).toFixed(2) + "×");
    // The zoom label says how large the picture is against its own pixels, not only against the fitted view.
    const shown = Math.round(100 * width4 / after.naturalWidth);
    if (!$("zoom-value").textContent.includes("(" + shown + " % of full size)"))
      throw new Error("zoom label '" + $("zoom-value").textContent + "' does not give " + shown + " %");
    // Zoomed in, the divider stays in view (it opened on the top-left corner, the input's side only).
    const d = $("divider").getBoundingClientRect(), v = $("viewport").getBoundingClientRect();
    if (d.left < v.left || d.right > v.right) throw new Error("zoom 4× left the divider out of view");
    $("zoom").value = 1;
    zoomAboutDivider();
    setSplit(35);
    let summary = "selftest: ok " + after.naturalWidth + "x" + after.naturalHeight +
      " psnr=" + $("psnr-result").textContent + " ssim=" + $("ssim-result").textContent;
    summary += " zoom-label=" + shown + "%";
    // A failed upload takes the previous result off the screen (left there, it was scored as the new file's).
    const bad = new File([new Blob(["not an image"])], "bad.png", { type: "image/png" });
    if (await handleFile(bad)) throw new Error("a text file was accepted");
    if (!$("result").hidden || state.result) throw new Error("the previous result stayed after a failed upload");
    showMessage("");
    summary += " failed-upload-cleared";
    if (new URLSearchParams(location.search).has("video")) {
      out.textContent = "selftest: running (video upload)";
      const r = await fetch("/selftest/sample.mp4");
      if (!r.ok) throw new Error("/selftest/sample.mp4 answered " + r.status);
      const clip = new File([await r.blob()], "sample.mp4", { type: "video/mp4" });
      if (!(await handleFile(clip))) throw new Error("video: " + ($("message").textContent || "job failed"));
      if (!$("reference-row").hidden) throw new Error("the reference picker is shown for a video");
      summary += " reference-hidden-for-video";
      // The result must be served as MP4 and be shown in the page's <video>. (Waiting for the element to decode it
      // is not reliable under headless Chromium's virtual time, which does not wait for the media pipeline.)
      const v = $("video-after");
      const res = await fetch(v.getAttribute("src"));
      const type = res.headers.get("Content-Type");
      const bytes = (await res.arrayBuffer()).byteLength;
      if (!res.ok || type !== "video/mp4" || bytes === 0 || $("video-result").hidden)
        throw new Error("video result not shown (" + res.status + ", " + type + ", " + bytes + " bytes)");
      // The input plays from a blob: URL, which the page's Content-Security-Policy must allow (media-src);
      // a refused load fires "error" at once, and the page then says it cannot play the input.
      await new Promise((done) => setTimeout(done, 500));
      if ($("video-stats").textContent.includes("cannot play"))
        throw new Error("the input video did not load: " + $("video-stats").textContent);
      setVideoSplit(30);
      if ($("video-divider").style.left !== "30%" || !$("video-before-clip").style.clipPath.includes("70%"))
        throw new Error("video split view not set: " + $("video-before-clip").style.clipPath);
      summary += " video=mp4 split=" + $("video-split").value + " " + $("video-stats").textContent.split(",")[0];
    }
    out.textContent = summary;
  } catch (e) {
    out.textContent = "selftest: failed: " + e.message;
  }
  out.dataset.done = "1";
}

wire();
loadStatus().then(() => { if (selftest) runSelftest(); });
"""#
}
