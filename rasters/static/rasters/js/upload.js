/* Drag-and-drop upload: each image is its own request to the API, with its own progress bar and outcome.
   Files dropped together that share a name before the first dot (a PDS4 .xml and its .img, a PDS3 .LBL and
   its .IMG or .JP2, an ISIS3 label and its .cub, a GeoTIFF and its .aux.xml) are one product: one request
   with all of them. A .zip is one product on its own. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var csrf = document.querySelector("#upload-form [name=csrfmiddlewaretoken]").value;
  var select = document.getElementById("body");
  data.bodies.forEach(function (b) {
    var o = document.createElement("option"); o.value = b.slug; o.textContent = b.name; select.appendChild(o);
  });
  var list = document.getElementById("uploads");
  var zone = document.getElementById("dropzone");
  var input = document.getElementById("file-input");

  function upload(files) {
    var item = document.createElement("li");
    var name = document.createElement("strong");
    name.textContent = files.map(function (f) { return f.name; }).join(" + ");
    if (files.length > 1) item.setAttribute("data-product", "true");
    var bar = document.createElement("progress"); bar.max = 100; bar.value = 0;
    var status = document.createElement("span"); status.className = "upload-status"; status.textContent = " waiting";
    item.appendChild(name); item.appendChild(bar); item.appendChild(status);
    list.appendChild(item);
    var form = new FormData();
    files.forEach(function (f) { form.append("file", f); });
    if (select.value) form.append("body", select.value);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", data.api);
    xhr.setRequestHeader("X-CSRFToken", csrf);
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); status.textContent = " " + bar.value + "%"; } };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      if (xhr.status === 201) {
        bar.value = 100;
        status.textContent = " uploaded: ";
        var link = document.createElement("a"); link.href = "/images/" + body.id + "/"; link.textContent = "open " + body.title;
        status.appendChild(link);
        item.className = "upload-ok";
      } else {
        var message = body.detail || (body.file && body.file.join(" ")) || (body.body && body.body.join(" ")) || ("Upload failed (HTTP " + xhr.status + ")");
        status.textContent = " refused: " + message;
        item.className = "upload-error error";
      }
    };
    xhr.onerror = function () { status.textContent = " network error"; item.className = "upload-error error"; };
    xhr.send(form);
  }
  function stem(name) {
    var base = name.split(".")[0].toLowerCase();
    return /\.zip$/i.test(name) || !base ? "\u0000" + name : base;
  }
  function handle(files) {
    var groups = {}; var order = [];
    Array.prototype.forEach.call(files, function (f) {
      var key = stem(f.name);
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(f);
    });
    order.forEach(function (key) { upload(groups[key]); });
  }
  zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
  zone.addEventListener("drop", function (e) { e.preventDefault(); zone.classList.remove("over"); handle(e.dataTransfer.files); });
  input.addEventListener("change", function () { handle(input.files); input.value = ""; });
})();
