# One image for every draftctl process (gateway now; the workers and beat use it too).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# LibreOffice reads legacy .doc and .odt (converted to .docx, offline); Tesseract with its
# Vietnamese model and poppler's pdftoppm read scanned PDFs and page images.
RUN apt-get update && apt-get install -y --no-install-recommends libreoffice-writer-nogui \
    tesseract-ocr tesseract-ocr-vie poppler-utils \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY services ./services
COPY models ./models
COPY examples ./examples
RUN pip install .
RUN useradd --create-home draftctl && mkdir -p /data && chown draftctl /data
USER draftctl
ENV DRAFTCTL_DATA_DIR=/data
EXPOSE 8000
CMD ["draftctl", "serve", "--host", "0.0.0.0", "--port", "8000"]
