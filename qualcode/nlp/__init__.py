"""Code suggestions (spaCy + scikit-learn); the only package allowed to import spaCy."""
