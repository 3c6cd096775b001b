"""Indonesian translations, applied to locales/id with `python tools/id_translations.py`.

Kept as data so `make messages` can regenerate the template without losing them.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

ID = {
    "This chat receives no pushes. /subscribe starts them.": "Chat ini tidak menerima kiriman. /subscribe untuk memulai.",
    "institutional-bias calls": "sinyal bias institusional",
    "SOL sniper entry maps": "peta entri sniper SOL",
    "This chat receives: {kinds}.": "Chat ini menerima: {kinds}.",
    "Only this group's admins can change its pushes.": "Hanya admin grup ini yang bisa mengubah kirimannya.",
    "Start pushes to this chat": "Mulai kiriman ke chat ini",
    "Stop pushes to this chat": "Hentikan kiriman ke chat ini",
    "NEUTRAL": "NETRAL",
    "Whales": "Whale",
    "Spot-ETF flow": "Arus ETF spot",
    "Sentiment": "Sentimen",
    "no whale trade in the window": "tidak ada transaksi whale dalam periode ini",
    "whale buys and sells both seen": "beli dan jual whale sama-sama terlihat",
    "buys": "beli",
    "sells": "jual",
    "whale {side} ${usd}": "whale {side} ${usd}",
    "net {flow} on {day}": "bersih {flow} pada {day}",
    "(BTC's ETF flow stands in for {coin})": "(arus ETF BTC dipakai sebagai pengganti untuk {coin})",
    "{coin} institutional bias: {direction}": "Bias institusional {coin}: {direction}",
    "confidence {share}": "keyakinan {share}",
    "either way": "dua arah",
    "{name}: {seen} → {push}": "{name}: {seen} → {push}",
    "{source}, as of {time}": "{source}, per {time}",
    "Missing: {modules}": "Tidak tersedia: {modules}",
    "LONG needs a whale buy, a spot-ETF inflow and greedy sentiment (SHORT the mirror); a missing input lowers the confidence.": "LONG butuh beli whale, arus masuk ETF spot, dan sentimen serakah (SHORT kebalikannya); input yang hilang menurunkan keyakinan.",
    "Institutional-bias call (LONG/SHORT/NEUTRAL) with its evidence": "Sinyal bias institusional (LONG/SHORT/NETRAL) dengan buktinya",
    "{coin} options open interest (OKX)": "Open interest opsi {coin} (OKX)",
    "Put/call OI ratio: {ratio} · spot {spot}": "Rasio OI put/call: {ratio} · spot {spot}",
    "By expiry: puts/calls · OTM puts/OTM calls (skew)": "Per jatuh tempo: put/call · put OTM/call OTM (skew)",
    "{day}: {pc} · skew {skew} ({puts} / {calls} {coin})": "{day}: {pc} · skew {skew} ({puts} / {calls} {coin})",
    "Above 1: more puts than calls (hedging or bearish lean).": "Di atas 1: lebih banyak put daripada call (lindung nilai atau condong bearish).",
    "OKX lists no {coin} options; try BTC or ETH.": "OKX tidak punya opsi {coin}; coba BTC atau ETH.",
    "Options open interest: put/call ratio and skew by expiry": "Open interest opsi: rasio put/call dan skew per jatuh tempo",
    "{low}–{high} · ${usd} · {distance}": "{low}–{high} · ${usd} · {distance}",
    "{n} min": "{n} mnt",
    "{h} h {m} min": "{h} j {m} mnt",
    "{coin} liquidation map · {range}": "Peta likuidasi {coin} · {range}",
    "price {price}": "harga {price}",
    "Relative estimate: CoinGlass leverage model (Binance).": "Perkiraan relatif: model leverage CoinGlass (Binance).",
    "{range} is the latest part of CoinGlass's {source} map.": "{range} adalah bagian terbaru dari peta {source} CoinGlass.",
    "Relative estimate: realized liquidations on OKX only.": "Perkiraan relatif: hanya likuidasi yang terjadi di OKX.",
    "History recorded: {age} ({n} liquidations in range).": "Riwayat tercatat: {age} ({n} likuidasi dalam rentang).",
    "No liquidations recorded in this range yet.": "Belum ada likuidasi tercatat dalam rentang ini.",
    "Above price": "Di atas harga",
    "Below price": "Di bawah harga",
    "⚠️ Cluster within 0.5%: {band}": "⚠️ Klaster dalam 0,5%: {band}",
    "Liquidation clusters near price, with a heatmap image": "Klaster likuidasi dekat harga, dengan gambar heatmap",
    "{pair} depth · {source}": "Kedalaman {pair} · {source}",
    "🔄 Refresh": "🔄 Segarkan",
    "Updated": "Diperbarui",
    "Fear & Greed: {score}/100": "Fear & Greed: {score}/100",
    "Day before: {score}": "Hari sebelumnya: {score}",
    "No {asset} spot-ETF flow has been reported yet.": "Belum ada arus ETF spot {asset} yang dilaporkan.",
    "{asset} spot-ETF net flow": "Arus bersih ETF spot {asset}",
    "{day}: {flow}": "{day}: {flow}",
    "{reported} of {total} ETFs have reported for that day.": "{reported} dari {total} ETF sudah melapor untuk hari itu.",
    "Previous days:": "Hari-hari sebelumnya:",
    "Crypto Fear & Greed index": "Indeks Fear & Greed kripto",
    "Bitcoin spot-ETF net flows by day": "Arus bersih ETF spot Bitcoin per hari",
    "BUY": "BELI",
    "SELL": "JUAL",
    "LONG": "LONG",
    "SHORT": "SHORT",
    "{side} opened": "{side} dibuka",
    "{side} closed": "{side} ditutup",
    "{icon} {side} ${usd} {coin} @ {price} · {venue} · {time}": "{icon} {side} ${usd} {coin} @ {price} · {venue} · {time}",
    "Whales ≥ ${threshold}: {coins}": "Whale ≥ ${threshold}: {coins}",
    "…and {n} more": "…dan {n} lagi",
    "No whale activity in the recent window.": "Tidak ada aktivitas whale dalam periode terakhir.",
    "From OKX public trades (the last 500 per market).": "Dari transaksi publik OKX (500 terakhir per pasar).",
    "Recent whale trades and positions above the threshold": "Transaksi dan posisi whale terbaru di atas ambang",
    "fallback: {reason}": "cadangan: {reason}",
    "Data modules": "Modul data",
    "ETF flow data": "Data arus ETF",
    "Liquidation data": "Data likuidasi",
    "Only the bot's admins can do that.": "Hanya admin bot yang bisa melakukan itu.",
    "Options data": "Data opsi",
    "Sentiment data": "Data sentimen",
    "Switch data modules on and off (admins)": "Nyalakan dan matikan modul data (admin)",
    "Tap a button to switch a module; it takes effect at once.": "Ketuk tombol untuk mengubah modul; langsung berlaku.",
    "Turn {flag} off": "Matikan {flag}",
    "Turn {flag} on": "Nyalakan {flag}",
    "Whale data": "Data whale",
    "off": "mati",
    "on": "nyala",
    "{flag} is now {state}": "{flag} sekarang {state}",
    "{what} is switched off by the bot's admins.": "{what} sedang dimatikan oleh admin bot.",
    "* the book we got ({n} levels a side) does not reach that far": "* buku yang kami terima ({n} level per sisi) tidak menjangkau sejauh itu",
    "Biggest ask: {wall}": "Ask terbesar: {wall}",
    "Biggest bid: {wall}": "Bid terbesar: {wall}",
    "Depth near mid: {bands}": "Kedalaman dekat harga tengah: {bands}",
    "{bid} bid / {ask} ask": "{bid} bid / {ask} ask",
    "Order book data": "Data order book",
    "Price data": "Data harga",
    "Spot order book: biggest walls and bid/ask imbalance": "Order book spot: tembok terbesar dan ketimpangan bid/ask",
    "Walls over {n}× median: {bids} bid, {asks} ask": "Tembok di atas {n}× median: {bids} bid, {asks} ask",
    "mid {mid}": "tengah {mid}",
    "{pair} order book": "Order book {pair}",
    "{price} · {size} {base} ({money}) · {distance} · {multiple}× median": "{price} · {size} {base} ({money}) · {distance} · {multiple}× median",
    "{value} is not something I know here. Use one of: {allowed}.": "{value} tidak saya kenal di sini. Gunakan salah satu: {allowed}.",
    "{what} is unavailable right now ({sources}). Please try again shortly.": "{what} sedang tidak tersedia ({sources}). Silakan coba lagi sebentar lagi.",
    "24h change: {change}": "Perubahan 24j: {change}",
    "24h high / low: {high} / {low}": "Tertinggi / terendah 24j: {high} / {low}",
    "24h volume: {volume}": "Volume 24j: {volume}",
    "All commands: /help": "Semua perintah: /help",
    "Bid / ask: {bid} / {ask}": "Bid / ask: {bid} / {ask}",
    "Chats served: {n}": "Chat yang dilayani: {n}",
    "Circuit breakers": "Pemutus sirkuit",
    "Commands": "Perintah",
    "Did you mean {suggestion}?": "Maksud Anda {suggestion}?",
    "Every command with one line each": "Semua perintah, satu baris masing-masing",
    "Greeting and the most useful commands": "Salam dan perintah paling berguna",
    "Health of every data module": "Kesehatan setiap modul data",
    "Hi {name}! I answer with live crypto market data and say where every number comes from.": "Halo {name}! Saya menjawab dengan data pasar kripto langsung dan menyebut sumber "
    "setiap angka.",
    "I don't know the symbol {symbol}.": "Saya tidak mengenal simbol {symbol}.",
    "Language: English. Indonesian is used when your Telegram is set to Indonesian.": "Bahasa: Indonesia (mengikuti bahasa Telegram Anda).",
    "Last price, 24h change, high/low and volume": "Harga terakhir, perubahan 24j, tertinggi/terendah dan volume",
    "Price data is unavailable right now ({sources}). Please try again shortly.": "Data harga sedang tidak tersedia ({sources}). Silakan coba lagi sebentar lagi.",
    "Slow down a little: too many commands. Try again in {n}s.": "Pelan-pelan: terlalu banyak perintah. Coba lagi dalam {n} dtk.",
    "Something went wrong on our side; it has been logged. Please try again.": "Terjadi kesalahan di pihak kami; sudah dicatat. Silakan coba lagi.",
    "Source: {source}": "Sumber: {source}",
    "Start with:": "Mulai dengan:",
    "Status: {overall}": "Status: {overall}",
    "Symbols can be written as SOL, $SOL, SOLUSDT, SOL/USDT or SOL-USDT-SWAP.": "Simbol bisa ditulis SOL, $SOL, SOLUSDT, SOL/USDT atau SOL-USDT-SWAP.",
    "Try for example {example}.": "Coba misalnya {example}.",
    "Which symbol? Example: {example}": "Simbol apa? Contoh: {example}",
    "all systems ok": "semua sistem normal",
    "as of {time} ({age})": "per {time} ({age})",
    "closed": "tertutup",
    "degraded": "menurun",
    "disabled": "dinonaktifkan",
    "error": "galat",
    "half-open": "setengah terbuka",
    "last success {age}": "terakhir berhasil {age}",
    "needs a paid plan": "perlu paket berbayar",
    "no API key set": "kunci API belum diatur",
    "not used yet": "belum dipakai",
    "ok": "normal",
    "open": "terbuka",
    "paused after repeated failures": "dijeda setelah gagal berulang",
    "rate limited": "terkena batas permintaan",
    "retry in {n}s": "coba lagi dalam {n} dtk",
    "route not found": "rute tidak ditemukan",
    "trader": "trader",
    "unavailable": "tidak tersedia",
    "unhealthy": "tidak sehat",
    "{n}d ago": "{n} hr lalu",
    "{n}h ago": "{n} jam lalu",
    "{n}m ago": "{n} mnt lalu",
    "{n}s ago": "{n} dtk lalu",
    "⚠️ stale: live source failed": "⚠️ data lama: sumber langsung gagal",
}


def main() -> None:
    path = Path(__file__).resolve().parent.parent / "locales/id/LC_MESSAGES/messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale="id")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        text = ID.get(str(message.id))
        if text is None:
            missing.append(str(message.id))
        else:
            message.string = text
            message.flags.discard("fuzzy")
    with path.open("wb") as f:
        write_po(f, catalog, width=100)
    if missing:
        raise SystemExit("untranslated: " + "; ".join(missing))


if __name__ == "__main__":
    main()
