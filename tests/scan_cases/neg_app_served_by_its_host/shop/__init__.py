# A library with app templates inside it: each template folder is a program of its own, run
# with its folder on sys.path by the server that loads it (`shop run templates/chat/app.py`).
