"""`python -m minigrad.demo`: see minigrad/demo/train.py."""
from minigrad.demo.train import main

main()
