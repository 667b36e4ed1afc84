"""The application layer: what the UI calls, one module per thing a user does.

`ask` (법령·지침 질의응답), `summarise` (문서 요약), `draft` (공문·보고서 초안, 보도자료,
정보공개 검토, 기한 계산), `statute_browser` (신구조문 대비), `index_admin` (색인 관리),
`original` (원문 보기), `history`, `feedback` and `draft_profile` (what is kept per user).
The UI imports these and `assistant.security`, never the chains, search or index floors below.
"""
