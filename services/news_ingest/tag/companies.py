"""Well-known organisations whose names carry no organisation word, for the fast profile (no model).

"Boeing", "Airbus", "Apple" or "Toyota" have nothing in their shape to say they are firms, and a story about one
often names it in the headline and a few times more, so without a model the fast profile missed the main
organisation of many business stories. The names below are public fact: large companies by revenue or market
value, airlines, carmakers, banks, media and sports bodies, curated and written for this project. Names that
hold an organisation word ("Deutsche Bank", "British Airways") are left out: ``entities._organisations`` finds
them by that word.

A name that is also an English word (``ALSO_WORDS``: "Apple", "Shell", "Oracle") counts only where the article
writes it capitalised inside a sentence at least once, so a headline's capitals alone do not make a fruit a firm;
names that are mostly something else ("Amazon", the river; "Orange", the revolution; "Delta", "Target", "Virgin")
are left out. A person named in full with a firm's name ("Harrison Ford") keeps it: longer spans win, and the
short-name pass gives the surname to the person.
"""

from __future__ import annotations

import functools


def _words(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


ALSO_WORDS = _words(
    "Apple Shell Jaguar Canon Oracle Visa Sky Paramount Puma Alphabet Twitter Uber Emirates "
    "Dell Ford Mercedes Kraft Guinness Subaru Volvo Bayer Fiat Palm Acer"
)

_SECTORS: dict[str, str] = {
    "technology": (
        "Apple|Microsoft|Google|Alphabet|Facebook|Netflix|Intel|AMD|Nvidia|Qualcomm|Cisco|Oracle|IBM|"
        "Hewlett-Packard|Compaq|Dell|Lenovo|Acer|Asus|Huawei|ZTE|Xiaomi|Samsung|LG|Sony|Panasonic|Toshiba|Hitachi|Fujitsu|"
        "NEC|Canon|Nikon|Nintendo|Sega|Philips|Siemens|Ericsson|Nokia|Motorola|BlackBerry|Yahoo|eBay|PayPal|"
        "Twitter|LinkedIn|Instagram|WhatsApp|YouTube|TikTok|ByteDance|Tencent|Alibaba|Baidu|Uber|Lyft|Airbnb|"
        "Spotify|Salesforce|SAP|Adobe|Tesla|SpaceX|Skype|Napster|AOL|Atari|Infosys|Wipro|Foxconn|TSMC"
    ),
    "aerospace and defence": (
        "Boeing|Airbus|Lockheed Martin|Northrop Grumman|Raytheon|Bombardier|Embraer|Dassault|Rolls-Royce|Thales|"
        "BAE Systems|Safran|Finmeccanica|EADS"
    ),
    "cars": (
        "Toyota|Honda|Nissan|Mazda|Mitsubishi|Subaru|Suzuki|Hyundai|Kia|Volkswagen|Audi|Porsche|BMW|Mercedes-Benz|"
        "Daimler|DaimlerChrysler|Chrysler|Ford|Chevrolet|Cadillac|Opel|Vauxhall|Renault|Peugeot|Citroen|Fiat|"
        "Ferrari|Lamborghini|Maserati|Volvo|Saab|Jaguar|Land Rover|Skoda|Tata|Geely|Stellantis|Michelin|"
        "Bridgestone|Goodyear"
    ),
    "energy and materials": (
        "ExxonMobil|Exxon|Chevron|BP|Shell|Texaco|ConocoPhillips|TotalEnergies|Eni|Repsol|Statoil|Equinor|"
        "Gazprom|Rosneft|Lukoil|Yukos|Sinopec|PetroChina|Petrobras|Pemex|Aramco|Halliburton|Schlumberger|Enron|"
        "ArcelorMittal|Rio Tinto|BHP|Glencore|Anglo American|Alcoa|DuPont|BASF|Bayer"
    ),
    "finance": (
        "Goldman Sachs|Morgan Stanley|JPMorgan|Citigroup|Citibank|Barclays|HSBC|Lloyds|NatWest|Santander|BNP Paribas|"
        "Societe Generale|UBS|Credit Suisse|Nomura|Mizuho|Allianz|AXA|Aviva|Prudential|Visa|Mastercard|"
        "American Express|Amex|Berkshire Hathaway|BlackRock|Lehman Brothers|Merrill Lynch|"
        "Bear Stearns|Fannie Mae|Freddie Mac|Nasdaq|Moody's|Fitch|Equifax|Experian"
    ),
    "retail, food and consumer goods": (
        "Walmart|Wal-Mart|Tesco|Sainsbury's|Asda|Morrisons|Carrefour|Aldi|Lidl|Ikea|Costco|Marks and Spencer|"
        "Woolworths|Argos|Primark|Zara|Inditex|H&M|Nike|Adidas|Puma|Reebok|Coca-Cola|Pepsi|PepsiCo|"
        "Nestle|Unilever|Danone|Kraft|Heinz|Cadbury|Kellogg|McDonald's|Burger King|KFC|Starbucks|"
        "Procter & Gamble|L'Oreal|Gillette|Colgate|Heineken|Carlsberg|Diageo|Guinness|Budweiser|Philip Morris|"
        "Pfizer|Novartis|Roche|Merck|GlaxoSmithKline|AstraZeneca|Sanofi|Johnson & Johnson|Moderna"
    ),
    "transport and telecoms": (
        "Ryanair|EasyJet|Lufthansa|Qantas|Emirates|Etihad|Aeroflot|KLM|Iberia|Alitalia|Swissair|Sabena|"
        "JetBlue|Cathay Pacific|Singapore Airlines|FedEx|UPS|DHL|Maersk|Vodafone|Telefonica|"
        "Deutsche Telekom|BT|AT&T|Verizon|T-Mobile|Comcast"
    ),
    "media and entertainment": (
        "Reuters|Bloomberg|BBC|CNN|NBC|CBS|ABC|ITV|Sky|BSkyB|Disney|Warner Bros|Time Warner|Paramount|"
        "Sony Music|EMI|Pixar|DreamWorks|MGM|Miramax|Viacom|News Corp|Al Jazeera|Associated Press|"
        "Agence France-Presse|Interfax|Xinhua|Itar-Tass|Kyodo|Yonhap"
    ),
    "sport and other bodies": (
        "Fifa|FIFA|Uefa|UEFA|IOC|NATO|Nato|Interpol|Europol|Greenpeace|Amnesty International|Oxfam|Red Cross|"
        "Hamas|Hezbollah|Taliban|Fatah|al-Qaeda|Al-Qaeda|Opec|OPEC|Wikipedia|Wikileaks|WikiLeaks"
    ),
}


@functools.cache
def companies() -> frozenset[str]:
    return frozenset(name for names in _SECTORS.values() for name in names.split("|"))
