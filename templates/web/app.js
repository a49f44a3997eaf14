// Progressive enhancement only: every page works without it.
// Uploads: show the bytes sent while a large file travels.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-upload]");
  if (!form || !window.XMLHttpRequest) return;
  form.addEventListener("submit", (event) => {
    const bar = document.getElementById("upload-progress");
    if (!bar) return;
    event.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; }
    };
    xhr.onload = () => { document.open(); document.write(xhr.responseText); document.close(); };
    xhr.onerror = () => { bar.replaceWith("The upload failed: the connection broke."); };
    bar.hidden = false;
    xhr.send(new FormData(form));
  });
});
