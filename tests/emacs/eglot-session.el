;;; eglot-session.el --- drive ipf-lsp through Emacs's eglot, in batch mode  -*- lexical-binding: t -*-
;; emacs --batch -Q -l editors-config.el -l eglot-session.el DOC
;; Env: IPF_RESULT (JSON written here), IPF_HOVER "LINE:CHAR" (0-based, UTF-16).
(require 'json)
(require 'flymake)

(defun ipf--wait (pred seconds)
  "Poll PRED while processing events, up to SECONDS."
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun ipf--pos (pos)
  "POS as (LINE . BYTE-COLUMN), 0-based."
  (save-excursion
    (goto-char pos)
    (list :line (1- (line-number-at-pos))
          :col (- (position-bytes pos) (position-bytes (line-beginning-position))))))

(let* ((doc (car command-line-args-left))
       (out (getenv "IPF_RESULT"))
       (hover (mapcar #'string-to-number (split-string (getenv "IPF_HOVER") ":")))
       result)
  (setq command-line-args-left nil)
  (condition-case err
      (progn
        (find-file doc)
        (markdown-mode)
        ;; The documented configuration starts eglot with eglot-ensure from
        ;; the mode hook; in batch mode no command loop runs it, so start it
        ;; the way M-x eglot does.
        (apply #'eglot (eglot--guess-contact))
        (unless (ipf--wait (lambda () (and (eglot-current-server) (flymake-diagnostics))) 20)
          (error "no diagnostics from ipf-lsp"))
        (let ((diags (sort (mapcar (lambda (d)
                                     (list :start (ipf--pos (flymake-diagnostic-beg d))
                                           :end (ipf--pos (flymake-diagnostic-end d))
                                           :type (symbol-name (flymake-diagnostic-type d))
                                           :text (flymake-diagnostic-text d)))
                                   (flymake-diagnostics))
                           (lambda (a b)
                             (let ((la (plist-get (plist-get a :start) :line))
                                   (lb (plist-get (plist-get b :start) :line)))
                               (let ((ca (plist-get (plist-get a :start) :col))
                                     (cb (plist-get (plist-get b :start) :col)))
                                 (cond ((/= la lb) (< la lb))
                                       ((/= ca cb) (< ca cb))
                                       (t (string< (plist-get a :text) (plist-get b :text)))))))))
              (h (jsonrpc-request (eglot-current-server) :textDocument/hover
                                  (list :textDocument (eglot--TextDocumentIdentifier)
                                        :position (list :line (nth 0 hover) :character (nth 1 hover))))))
          (setq result (list :emacs emacs-version
                             :eglot (if (boundp 'eglot-version) eglot-version "")
                             :diagnostics (vconcat diags)
                             :hover (plist-get (plist-get h :contents) :value))))
        (eglot-shutdown (eglot-current-server)))
    (error (setq result (list :error (error-message-string err)))))
  (with-temp-file out
    (insert (json-encode result)))
  (kill-emacs 0))
