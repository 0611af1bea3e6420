extension PageAssets {
    /// The single page: upload, progress, before/after comparison, download, optional reference scores.
    static let indexHTML = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>deblur-video</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<header>
  <h1>deblur-video</h1>
  <p>Remove motion blur from a photo and compare the result with the original. <span id="method"></span></p>
</header>
<main>
  <section id="inputs" class="inputs">
    <div id="drop" class="drop" tabindex="0" role="button" aria-label="Drop a blurry image here or choose a file">
      <p><strong>Drop a blurry photo here</strong> (PNG or JPEG) or a short video</p>
      <p><label for="file" class="button">Choose a file…</label>
         <input type="file" id="file" tabindex="-1" accept="image/png,image/jpeg,video/*"></p>
      <p class="hint" id="limits"></p>
    </div>
    <div class="reference" id="reference-row">
      <label for="reference">Optional: the sharp original, to score the result (PSNR/SSIM)</label>
      <input type="file" id="reference" accept="image/png,image/jpeg">
    </div>
  </section>

  <div id="progress" class="progress" hidden>
    <progress id="bar" max="100" aria-labelledby="progress-text"></progress>
    <span id="progress-text"></span>
  </div>
  <p id="message" class="message" role="alert" hidden></p>

  <section id="result" class="result" hidden>
    <div class="toolbar">
      <label>Before | after <input type="range" id="split" min="0" max="100" value="50"></label>
      <label>Zoom <input type="range" id="zoom" min="1" max="8" step="0.5" value="1">
        <output id="zoom-value">1×</output></label>
      <a id="download" class="button" download="deblurred.png" href="#">Download PNG</a>
    </div>
    <div id="viewport" class="viewport">
      <div id="stage" class="stage">
        <img id="before" alt="input (blurry)" draggable="false">
        <div id="after-clip" class="clip-layer"><img id="after" alt="deblurred result" draggable="false"></div>
        <div id="divider" class="divider"></div>
      </div>
    </div>
    <p class="legend"><span>◀ input</span><span>deblurred ▶</span></p>
    <p id="stats" class="stats"></p>
    <table id="metrics" class="metrics" hidden>
      <thead><tr><th>against the sharp reference</th><th>PSNR (dB)</th><th>SSIM</th></tr></thead>
      <tbody>
        <tr><td>input</td><td id="psnr-input"></td><td id="ssim-input"></td></tr>
        <tr><td>deblurred</td><td id="psnr-result"></td><td id="ssim-result"></td></tr>
      </tbody>
    </table>
  </section>
  <section id="video-result" class="result" hidden>
    <div class="toolbar">
      <button id="play-both" class="button" type="button">Play</button>
      <label>Position <input type="range" id="video-seek" min="0" max="1000" value="0"></label>
      <label>Before | after <input type="range" id="video-split" min="0" max="100" value="50"></label>
      <a id="video-download" class="button" download="deblurred.mp4" href="#">Download MP4</a>
    </div>
    <div class="viewport">
      <div id="video-stage" class="stage video-stage">
        <video id="video-after" muted playsinline preload="auto"></video>
        <div id="video-before-clip" class="clip-layer"><video id="video-before" muted playsinline preload="auto"></video></div>
        <div id="video-divider" class="divider"></div>
      </div>
    </div>
    <p class="legend"><span>◀ input</span><span>deblurred ▶</span></p>
    <p id="video-stats" class="stats"></p>
  </section>
  <p id="selftest-status" hidden></p>
</main>
<footer><p>Files are processed on this computer and deleted right after. API: <code>POST /api/deblur</code>, <code>POST /api/compare</code>, <code>POST /api/jobs</code>, <code>GET /api/status</code>.</p></footer>
<script src="/assets/app.js"></script>
</body>
</html>
"""#
}

/// The page's HTML, CSS and JavaScript, compiled into the binary: no CDN, no build step, no files to find at run time.
enum PageAssets {}
