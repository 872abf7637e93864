;;; editors-config.el --- the eglot configuration of editors/README.md, verbatim  -*- lexical-binding: t -*-
;; Emacs 28 has no markdown-mode of its own (it comes from the markdown-mode
;; package); the test stands in a minimal one so it needs no extra package.
(unless (fboundp 'markdown-mode)
  (define-derived-mode markdown-mode text-mode "Markdown"))

;; --- from editors/README.md ---
(require 'eglot)
(add-to-list 'eglot-server-programs
             '((markdown-mode gfm-mode) . ("ipf-lsp" "serve")))
(add-hook 'markdown-mode-hook #'eglot-ensure)
;; --- end ---
