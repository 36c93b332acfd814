/** The whole stylesheet, served from /static/app.css: no CDN, no inline styles (the CSP forbids them). */
export const APP_CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;background:#f5f7fa}
.skip-link{position:absolute;left:.5rem;top:-3rem;padding:.4rem .8rem;background:#fff;color:#0f4c8a;border-radius:4px;z-index:1}
.skip-link:focus{top:.5rem}
header.site{display:flex;align-items:center;justify-content:space-between;padding:.75rem 1.5rem;background:#232f3e;color:#fff}
header.site a{color:#fff;text-decoration:none;margin-left:1rem}
header.site .brand{margin:0;font-weight:600;font-size:1.1rem}
header.site .user{display:flex;align-items:center;gap:.75rem;font-size:.9rem}
header.site .user .btn{padding:.2rem .6rem}
main{max-width:960px;margin:1.5rem auto;padding:0 1rem}
.page-head{display:flex;align-items:center;justify-content:space-between;gap:1rem;flex-wrap:wrap}
.page-head h1{font-size:1.5rem;margin:.5rem 0;overflow-wrap:anywhere}
.actions{display:flex;gap:.5rem}
.btn{display:inline-block;padding:.4rem .9rem;border:1px solid #8a94a6;border-radius:4px;background:#fff;color:#1d2433;text-decoration:none;font:inherit;cursor:pointer}
.btn.primary{background:#0972d3;border-color:#0972d3;color:#fff}
.btn.danger{border-color:#d13212;color:#d13212}
.btn:focus-visible,a:focus-visible,input:focus-visible,pre:focus-visible{outline:3px solid #ff9900;outline-offset:2px}
form.inline{display:inline}
.flash{background:#e6f4ea;border:1px solid #1e8e3e;padding:.5rem 1rem;border-radius:4px}
table.directory{width:100%;border-collapse:collapse;background:#fff}
table.directory caption{text-align:left;padding:.25rem 0;color:#5f6b7a}
table.directory th{text-align:left;padding:.5rem;border:1px solid #d5dbe3;background:#e9edf2}
table.directory td{border:1px solid #d5dbe3;padding:.5rem;vertical-align:top}
table.directory td.photo{width:70px}
table.directory td.row-actions{width:1%;white-space:nowrap}
.no-photo{display:inline-block;width:50px;height:66px;background:#e9edf2;border-radius:4px}
.no-photo.large{width:120px;height:160px;line-height:160px;text-align:center;color:#5f6b7a}
.fa{font-style:normal;margin:0 .15rem;cursor:help;display:inline-block;vertical-align:-2px;color:#0972d3}
.fa svg{display:block}
.badge .fa{color:#fff}
.badge{display:inline-block;padding:.15rem .5rem;margin:.15rem;border-radius:1rem;background:#0972d3;color:#fff;font-size:.9rem}
.pager{display:flex;gap:1rem;margin:1rem 0}
form.search{margin:0 0 1rem}
form.search input,form.search select{padding:.3rem;font:inherit;border:1px solid #8a94a6;border-radius:4px}
.employee{display:flex;gap:2rem;flex-wrap:wrap;background:#fff;padding:1rem;border:1px solid #d5dbe3;margin-bottom:1rem}
dl.details{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:0}
dl.details dt{font-weight:600}
dl.details dd{margin:0;overflow-wrap:anywhere}
.employee-form{background:#fff;padding:1rem;border:1px solid #d5dbe3}
.field{margin-bottom:1rem}
.field label{display:block;font-weight:600}
.field input[type=text]{width:100%;max-width:32rem;padding:.4rem;font:inherit;border:1px solid #8a94a6;border-radius:4px}
.field.invalid input{border-color:#d13212}
.error,.error-summary{color:#a61b00}
.error-summary{border:1px solid #d13212;background:#fdf3f1;padding:.5rem 1rem;border-radius:4px}
.hint{color:#5f6b7a;font-size:.9rem;margin:.2rem 0}
fieldset.badges{border:1px solid #d5dbe3;margin:0 0 1rem;display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr))}
.badge-choice{padding:.2rem 0}
.field label.check{font-weight:400;margin-top:.4rem}
.confirm-delete{margin-top:1rem}
.empty{font-size:1.1rem}
.current-photo{display:block;margin-bottom:.5rem;border:1px solid #d5dbe3}
.stress{margin-top:2rem}
.request-id code{background:#e9edf2;padding:.1rem .3rem}
.docs pre{background:#fff;border:1px solid #d5dbe3;padding:.75rem;overflow:auto;font-size:.85rem}
.docs .op{border:1px solid #d5dbe3;background:#fff;padding:.5rem 1rem;margin:.75rem 0}
.docs .method{display:inline-block;min-width:4.5rem;font-weight:700;font-family:ui-monospace,monospace}
`;
